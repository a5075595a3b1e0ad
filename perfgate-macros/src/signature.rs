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
        if let Some(class) = &options.max_complexity {
            let sizes = options.sizes.as_ref().map_or(0, |(_, sizes)| sizes.len());
            if sizes < 3 {
                return Err(syn::Error::new(
                    class.span(),
                    format!(
                        "`max_complexity` needs at least 3 input sizes to fit how the cost grows \
                         (`sizes = [1_000, 10_000, 100_000]`); {sizes} given"
                    ),
                ));
            }
        }
        check_throughput(options)?;
        if let Some((span, _)) = &options.sizes
            && options.setup.is_none()
        {
            return Err(syn::Error::new(
                *span,
                "`sizes` needs `setup = path::to::fn` taking `n: usize` and producing the \
                 input of that size",
            ));
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

/// `throughput` counts what a call processes from its input: it needs `setup`, and each rate
/// limit needs its own unit declared; `throughput_count` needs `throughput`.
fn check_throughput(options: &AttrOptions) -> syn::Result<()> {
    let declared = options.throughput.as_ref().map(|unit| unit.value());
    for (key, number, unit) in [
        (
            "min_elements_per_sec",
            &options.min_elements_per_sec,
            "elements",
        ),
        ("min_bytes_per_sec", &options.min_bytes_per_sec, "bytes"),
    ] {
        if let Some(number) = number
            .as_ref()
            .filter(|_| declared.as_deref() != Some(unit))
        {
            return Err(syn::Error::new(
                number.span,
                format!(
                    "`{key}` needs `throughput = \"{unit}\"`, so that perfgate knows how many {unit} \
                     a call processes{}",
                    match &declared {
                        Some(other) => format!(" (this operation counts {other})"),
                        None => String::new(),
                    }
                ),
            ));
        }
    }
    if let (Some(count), None) = (&options.throughput_count, &options.throughput) {
        return Err(syn::Error::new(
            count.span(),
            "`throughput_count` needs `throughput = \"elements\"` or `throughput = \"bytes\"`",
        ));
    }
    if let (Some(unit), None) = (&options.throughput, &options.setup) {
        return Err(syn::Error::new(
            unit.span(),
            "`throughput` counts what each input holds: it needs `setup = path::to::fn` and a \
             `&Input` parameter",
        ));
    }
    Ok(())
}
