//! The tokens emitted for an annotated function: the function unchanged, plus one registration.

use crate::attr_options::{AttrOptions, Number};
use crate::signature::Shape;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ItemFn;
use syn::spanned::Spanned;

pub fn expand(function: &ItemFn, options: &AttrOptions, shape: &Shape) -> TokenStream {
    let private = quote!(::perfgate_runtime::__private);
    let ident = &function.sig.ident;
    let op = match &options.op {
        Some(op) => quote!(#op),
        None => {
            let name = ident.to_string();
            quote!(#name)
        }
    };
    let function_name = ident.to_string();
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let file = quote_spanned!(ident.span()=> ::core::file!());

    let number = |number: &Option<Number>| match number {
        Some(Number { value, .. }) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let max_us = number(&options.max_us);
    let max_p95_us = number(&options.max_p95_us);
    let max_p99_us = number(&options.max_p99_us);
    let max_allocs = number(&options.max_allocs);
    let max_memory_kb = number(&options.max_memory_kb);
    let max_instance_bytes = number(&options.max_instance_bytes);
    let min_success_rate = number(&options.min_success_rate);
    let max_regression_percent = number(&options.max_regression_percent);
    let min_ops_per_sec = number(&options.min_ops_per_sec);
    let max_concurrent_p99_us = number(&options.max_concurrent_p99_us);
    let max_instructions = number(&options.max_instructions);
    let min_elements_per_sec = number(&options.min_elements_per_sec);
    let min_bytes_per_sec = number(&options.min_bytes_per_sec);
    let throughput = match &options.throughput {
        Some(unit) => quote!(::core::option::Option::Some(#unit)),
        None => quote!(::core::option::Option::None),
    };
    let timeout_s = number(&options.timeout_s);
    let leak_check = match options.enable_memory_leak_check {
        Some(on) => quote!(::core::option::Option::Some(#on)),
        None => quote!(::core::option::Option::None),
    };
    let stages = match &options.stages {
        Some(stages) => quote!(&[#(#stages),*]),
        None => quote!(&[]),
    };
    let requires_env = match &options.requires_env {
        Some(variables) => quote!(&[#(#variables),*]),
        None => quote!(&[]),
    };

    // The value is inspected with autoref specialisation, so that `Result` (under any alias,
    // `io::Result` included) counts its `Err`s and every other type counts as a success.
    let succeeded = quote! {{
        #[allow(unused_imports)]
        use #private::{SucceededViaResult as _, SucceededViaAny as _};
        (&&#private::Returned(&value)).succeeded()
    }};
    // The stored inputs' type is `setup`'s, inferred; each is lent to the function as the `&T`
    // it takes (`String` as `&str`, `Vec<u64>` as `&[u64]`). A `setup` that cannot give a `&T`
    // is an error at `setup = ...`.
    let (inputs, call) = match (&shape.input, &options.setup) {
        (Some(input), Some(setup)) => (
            quote_spanned!(setup.span()=> #private::inputs::<#input, _, _>(#setup())),
            quote!(#ident(#private::borrow::<#input, _>(input))),
        ),
        _ => (quote!(::std::vec![()]), quote!(#ident())),
    };

    // With `throughput`, the routine knows the elements or bytes a call processes: the mean count
    // over the inputs (`throughput_count(input)`, or the input's `len()`), computed untimed.
    let counted = |routine: TokenStream| match (&options.throughput, &shape.input) {
        (Some(unit), Some(input)) => {
            let count = match &options.throughput_count {
                Some(path) => quote_spanned!(path.span()=> #path(input) as f64),
                None if unit.value() == "bytes" => {
                    quote_spanned!(unit.span()=> #private::ByteLen::bytes(input) as f64)
                }
                None => quote_spanned!(unit.span()=> #private::Len::count(input) as f64),
            };
            quote! {{
                let __perfgate_units = #private::units_per_call::<#input, _>(
                    &__perfgate_inputs,
                    |input: &#input| #count,
                );
                #private::with_units(#routine, __perfgate_units)
            }}
        }
        _ => routine,
    };
    let sync_routine = |inputs: &TokenStream| {
        let routine = quote! {
            #private::routine(
                __perfgate_inputs,
                |input| {
                    let _ = input;
                    let value = #call;
                    let ok = #succeeded;
                    let _ = #private::black_box(value);
                    ok
                },
                |input, probe: &mut dyn ::core::ops::FnMut()| {
                    let _ = input;
                    let value = #call;
                    probe();
                    let size = ::core::mem::size_of_val(&value);
                    let _ = #private::black_box(value);
                    size
                },
            )
        };
        let routine = counted(routine);
        quote! {{
            let __perfgate_inputs = #inputs;
            #routine
        }}
    };
    // One `block_on` per batch: the loop awaits each call's future in turn.
    let async_routine = |inputs: &TokenStream| {
        let routine = counted(quote! {
            #private::async_routine(
                __perfgate_inputs,
                |inputs, cursor: &mut usize, calls: u64, runtime: &#private::tokio::runtime::Runtime| -> u64 {
                    runtime.block_on(async {
                        let mut failures = 0u64;
                        for _ in 0..calls {
                            let input = &inputs[#private::advance(cursor, inputs.len())];
                            let _ = input;
                            let value = #call.await;
                            let ok = #succeeded;
                            let _ = #private::black_box(value);
                            failures += u64::from(!ok);
                        }
                        failures
                    })
                },
                |input, probe: &mut dyn ::core::ops::FnMut(), runtime: &#private::tokio::runtime::Runtime| -> usize {
                    runtime.block_on(async {
                        let _ = input;
                        let value = #call.await;
                        probe();
                        let size = ::core::mem::size_of_val(&value);
                        let _ = #private::black_box(value);
                        size
                    })
                },
            )
        });
        quote! {{
            let __perfgate_inputs = #inputs;
            #routine
        }}
    };
    let routine_of = |inputs: &TokenStream| match shape.asyncness {
        Some(_) => async_routine(inputs),
        None => sync_routine(inputs),
    };
    // With `sizes`, `setup(n)` builds the input of each size; the operation's own routine (its
    // concurrency, leak and instruction phases) is that of the largest size.
    let (sizes, max_complexity) = match (&options.sizes, &shape.input, &options.setup) {
        (Some((_, sizes)), Some(input), Some(setup)) => {
            let sized_inputs =
                quote_spanned!(setup.span()=> #private::inputs::<#input, _, _>(#setup(n)));
            let body = routine_of(&sized_inputs);
            let sized_fn = quote! {
                fn __perfgate_sized(n: usize) -> ::std::boxed::Box<dyn #private::Routine> {
                    #body
                }
            };
            // Without the `async` feature: one error, and a `__perfgate_sized` that keeps the
            // rest well-formed.
            let sized_fn = match shape.asyncness {
                Some(span) => {
                    quote_spanned! {span=> #private::async_support! { sized: #sized_fn } }
                }
                None => sized_fn,
            };
            let largest = *sizes.last().expect("sizes are not empty") as usize;
            let size_fns: Vec<proc_macro2::Ident> = (0..sizes.len())
                .map(|i| quote::format_ident!("__perfgate_size_{}", i))
                .collect();
            let ns: Vec<usize> = sizes.iter().map(|n| *n as usize).collect();
            let complexity = match &options.max_complexity {
                Some(class) => quote!(::core::option::Option::Some(#class)),
                None => quote!(::core::option::Option::None),
            };
            (
                quote! {
                    #sized_fn
                    fn __perfgate_routine() -> ::std::boxed::Box<dyn #private::Routine> {
                        __perfgate_sized(#largest)
                    }
                    #(
                        fn #size_fns() -> ::std::boxed::Box<dyn #private::Routine> {
                            __perfgate_sized(#ns)
                        }
                    )*
                    const __PERFGATE_SIZES: &[(usize, fn() -> ::std::boxed::Box<dyn #private::Routine>)] =
                        &[#((#ns, #size_fns as fn() -> ::std::boxed::Box<dyn #private::Routine>)),*];
                },
                complexity,
            )
        }
        _ => (
            quote! {
                const __PERFGATE_SIZES: &[(usize, fn() -> ::std::boxed::Box<dyn #private::Routine>)] = &[];
            },
            quote!(::core::option::Option::None),
        ),
    };
    let unsized_routine = sync_routine(&inputs);
    let routine = match shape.asyncness {
        None if options.sizes.is_some() => quote!(),
        None => quote! {
            fn __perfgate_routine() -> ::std::boxed::Box<dyn #private::Routine> {
                #unsized_routine
            }
        },
        Some(_) if options.sizes.is_some() => quote!(),
        Some(span) => {
            let unsized_async = async_routine(&inputs);
            let body = quote! {
                fn __perfgate_routine() -> ::std::boxed::Box<dyn #private::Routine> {
                    #unsized_async
                }
            };
            quote_spanned! {span=> #private::async_support! { #body } }
        }
    };

    quote! {
        #function

        #[doc(hidden)]
        const _: () = {
            #routine
            #sizes

            #private::inventory::submit! {
                #private::Entry {
                    op: #op,
                    function: #function_name,
                    module_path: ::core::module_path!(),
                    file: #file,
                    line: #line,
                    limits: #private::AttrLimits {
                        max_us: #max_us,
                        max_p95_us: #max_p95_us,
                        max_p99_us: #max_p99_us,
                        max_allocs: #max_allocs,
                        max_memory_kb: #max_memory_kb,
                        max_instance_bytes: #max_instance_bytes,
                        min_success_rate: #min_success_rate,
                        max_regression_percent: #max_regression_percent,
                        min_ops_per_sec: #min_ops_per_sec,
                        max_concurrent_p99_us: #max_concurrent_p99_us,
                        max_instructions: #max_instructions,
                        min_elements_per_sec: #min_elements_per_sec,
                        min_bytes_per_sec: #min_bytes_per_sec,
                    },
                    stages: #stages,
                    requires_env: #requires_env,
                    timeout_s: #timeout_s,
                    enable_memory_leak_check: #leak_check,
                    debug_assertions: ::core::cfg!(debug_assertions),
                    sizes: __PERFGATE_SIZES,
                    max_complexity: #max_complexity,
                    throughput: #throughput,
                    routine: __perfgate_routine,
                }
            }
        };
    }
}
