//! The `#[perf_budget]` attribute of perfgate.
//!
//! This crate only parses and validates the attribute ([`attr_options`]) and emits tokens
//! ([`tokens`]): the annotated function is left unchanged, and one registration is added beside it.
//! Everything that runs lives in `perfgate-runtime`, which re-exports this macro; depend on that.

use proc_macro::TokenStream;

mod attr_options;
mod signature;
mod tokens;

/// Registers a function as a performance-gated operation.
///
/// See the documentation of `perfgate_runtime::perf_budget` for the keys and accepted shapes.
#[proc_macro_attribute]
pub fn perf_budget(attr: TokenStream, item: TokenStream) -> TokenStream {
    let function = syn::parse_macro_input!(item as syn::ItemFn);
    let options = match attr_options::AttrOptions::parse(attr.into()) {
        Ok(options) => options,
        Err(error) => return with_function(error, &function),
    };
    let shape = match signature::Shape::of(&function, &options) {
        Ok(shape) => shape,
        Err(error) => return with_function(error, &function),
    };
    tokens::expand(&function, &options, &shape).into()
}

/// The compile error followed by the function, unchanged, so that one mistake in the attribute
/// does not also produce "function not found" errors at every call site.
fn with_function(error: syn::Error, function: &syn::ItemFn) -> TokenStream {
    let error = error.to_compile_error();
    quote::quote!(#error #function).into()
}
