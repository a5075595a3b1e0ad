//! Which function shapes can be measured, and how each is called.

use crate::attr_options::AttrOptions;
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, ItemFn, Type};

/// How the generated code calls the annotated function.
pub struct Shape {
    /// The type behind the `&Input` parameter, when the function takes one.
    pub input: Option<Type>,
    /// The span of `async`, for an `async fn`.
    pub asyncness: Option<proc_macro2::Span>,
}

impl Shape {
    pub fn of(function: &ItemFn, options: &AttrOptions) -> syn::Result<Shape> {
        let sig = &function.sig;
        if let syn::Safety::Unsafe(unsafety) = &sig.safety {
            return Err(syn::Error::new(
                unsafety.span(),
                "`#[perf_budget]` cannot call an `unsafe fn`; wrap the unsafe call in a safe function",
            ));
        }
        if let Some(variadic) = &sig.variadic {
            return Err(syn::Error::new(
                variadic.span(),
                "variadic functions cannot be measured",
            ));
        }
        for param in &sig.generics.params {
            match param {
                GenericParam::Lifetime(_) => {}
                GenericParam::Type(_) | GenericParam::Const(_) => {
                    return Err(syn::Error::new(
                        param.span(),
                        "`#[perf_budget]` needs a concrete function: generic parameters cannot be \
                         measured; annotate a wrapper that calls it with concrete types",
                    ));
                }
            }
        }
        let mut params = sig.inputs.iter();
        let input = match (params.next(), &options.setup) {
            (None, None) => None,
            (None, Some(setup)) => {
                return Err(syn::Error::new(
                    setup.span(),
                    "`setup` produces an input, but the function takes no parameter; \
                     add a `&Input` parameter or remove `setup`",
                ));
            }
            (Some(FnArg::Receiver(receiver)), _) => {
                return Err(syn::Error::new(
                    receiver.span(),
                    "`#[perf_budget]` cannot measure methods taking `self`; annotate a free function",
                ));
            }
            (Some(FnArg::Typed(param)), None) => {
                return Err(syn::Error::new(
                    param.span(),
                    "a measured function with a parameter needs `setup = path::to::fn` \
                     producing its input (or a `Vec` of inputs)",
                ));
            }
            (Some(FnArg::Typed(param)), Some(_)) => match &*param.ty {
                Type::Reference(reference) if reference.mutability.is_none() => {
                    Some((*reference.elem).clone())
                }
                other => {
                    return Err(syn::Error::new(
                        other.span(),
                        "the parameter of a measured function must be a shared reference `&Input` \
                         (the input comes from `setup`)",
                    ));
                }
            },
        };
        if let Some(extra) = params.next() {
            return Err(syn::Error::new(
                extra.span(),
                "a measured function takes at most one parameter, `&Input`; \
                 bundle several values into one struct produced by `setup`",
            ));
        }
        Ok(Shape {
            input,
            asyncness: sig.asyncness.map(|a| a.span),
        })
    }
}
