//! Parsing and validation of the keys inside `#[perf_budget(...)]`.
//!
//! Every mistake is a `syn::Error` spanned at the offending token, so the compiler points at it.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Lit, LitStr, Path, Token};

/// A numeric limit as written in the attribute.
pub struct Number {
    pub value: f64,
    /// The key, for errors about the limit as a whole.
    pub span: proc_macro2::Span,
}

/// What the attribute says, validated.
#[derive(Default)]
pub struct AttrOptions {
    pub op: Option<LitStr>,
    pub max_us: Option<Number>,
    pub max_p95_us: Option<Number>,
    pub max_p99_us: Option<Number>,
    pub max_allocs: Option<Number>,
    pub max_memory_kb: Option<Number>,
    pub max_instance_bytes: Option<Number>,
    pub min_success_rate: Option<Number>,
    pub max_regression_percent: Option<Number>,
    pub min_ops_per_sec: Option<Number>,
    pub max_concurrent_p99_us: Option<Number>,
    pub max_instructions: Option<Number>,
    pub min_elements_per_sec: Option<Number>,
    pub min_bytes_per_sec: Option<Number>,
    pub timeout_s: Option<Number>,
    pub enable_memory_leak_check: Option<bool>,
    pub stages: Option<Vec<LitStr>>,
    /// `requires_env = ["DATABASE_URL", ...]`: variables that must be set (and not empty) for
    /// the operation to run; otherwise it is reported ignored, naming them.
    pub requires_env: Option<Vec<LitStr>>,
    pub setup: Option<Path>,
    /// `sizes = [n, ...]`: input sizes, strictly ascending; `setup` then takes `n: usize`.
    pub sizes: Option<(proc_macro2::Span, Vec<u64>)>,
    /// `max_complexity = "n log n"`: the growth class cost may not exceed over `sizes`.
    pub max_complexity: Option<LitStr>,
    /// `throughput = "elements"` or `"bytes"`: what one call processes, counted per input.
    pub throughput: Option<LitStr>,
    /// `throughput_count = path`: the count of one input (`fn(&Input) -> integer`); without it,
    /// the input's `len()`.
    pub throughput_count: Option<Path>,
}

/// The units `throughput` accepts.
pub const THROUGHPUT_UNITS: [&str; 2] = ["elements", "bytes"];

/// The growth classes `max_complexity` accepts.
pub const COMPLEXITY_CLASSES: [&str; 6] = ["1", "log n", "n", "n log n", "n^2", "n^3"];

/// How a numeric key is checked.
#[derive(Clone, Copy)]
enum Range {
    /// Greater than zero: a time, a rate, a percentage.
    Positive,
    /// Zero or more: an exact count, where zero means "none at all" (an allocation-free budget).
    NonNegative,
    /// A fraction in (0, 1].
    Fraction,
    /// Seconds, greater than zero and at most `MAX_TIMEOUT_S`.
    Timeout,
}

/// The longest timeout accepted (about 115 days): beyond it a limit is a typo.
const MAX_TIMEOUT_S: f64 = 1e7;

const KEYS: &str = "op, max_us, max_p95_us, max_p99_us, max_allocs, max_memory_kb, max_instance_bytes, \
                    min_success_rate, max_regression_percent, min_ops_per_sec, max_concurrent_p99_us, max_instructions, \
                    min_elements_per_sec, min_bytes_per_sec, timeout_s, enable_memory_leak_check, stages, \
                    requires_env, setup, sizes, max_complexity, throughput, throughput_count";

impl AttrOptions {
    pub fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut options = AttrOptions::default();
        let mut seen: Vec<String> = Vec::new();
        syn::meta::parser(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .ok_or_else(|| meta.error(format!("expected one of: {KEYS}")))?;
            if seen.contains(&key) {
                return Err(meta.error(format!("duplicate key `{key}`")));
            }
            seen.push(key.clone());
            options.parse_key(&key, &meta)
        })
        .parse2(tokens)?;
        Ok(options)
    }

    fn parse_key(&mut self, key: &str, meta: &ParseNestedMeta) -> syn::Result<()> {
        use Range::*;
        let slot = match key {
            "op" => {
                let op: LitStr = meta.value()?.parse()?;
                if op.value().trim().is_empty() {
                    return Err(syn::Error::new(op.span(), "`op` must not be empty"));
                }
                self.op = Some(op);
                return Ok(());
            }
            "stages" => {
                self.stages = Some(parse_names(meta, Names::Stages)?);
                return Ok(());
            }
            "requires_env" => {
                self.requires_env = Some(parse_names(meta, Names::Variables)?);
                return Ok(());
            }
            "setup" => {
                self.setup = Some(meta.value()?.parse()?);
                return Ok(());
            }
            "sizes" => {
                self.sizes = Some(parse_sizes(meta)?);
                return Ok(());
            }
            "max_complexity" => {
                let class: LitStr = meta.value()?.parse()?;
                if !COMPLEXITY_CLASSES.contains(&class.value().as_str()) {
                    return Err(syn::Error::new(
                        class.span(),
                        format!(
                            "`max_complexity` must be one of {}",
                            COMPLEXITY_CLASSES.map(|c| format!("\"{c}\"")).join(", ")
                        ),
                    ));
                }
                self.max_complexity = Some(class);
                return Ok(());
            }
            "throughput" => {
                let unit: LitStr = meta.value()?.parse()?;
                if !THROUGHPUT_UNITS.contains(&unit.value().as_str()) {
                    return Err(syn::Error::new(
                        unit.span(),
                        "`throughput` must be \"elements\" or \"bytes\"",
                    ));
                }
                self.throughput = Some(unit);
                return Ok(());
            }
            "throughput_count" => {
                self.throughput_count = Some(meta.value()?.parse()?);
                return Ok(());
            }
            "enable_memory_leak_check" => {
                let value: syn::LitBool = meta.value()?.parse()?;
                self.enable_memory_leak_check = Some(value.value);
                return Ok(());
            }
            "max_us" => (&mut self.max_us, Positive),
            "max_p95_us" => (&mut self.max_p95_us, Positive),
            "max_p99_us" => (&mut self.max_p99_us, Positive),
            "max_allocs" => (&mut self.max_allocs, NonNegative),
            "max_memory_kb" => (&mut self.max_memory_kb, NonNegative),
            "max_instance_bytes" => (&mut self.max_instance_bytes, NonNegative),
            "min_success_rate" => (&mut self.min_success_rate, Fraction),
            "max_regression_percent" => (&mut self.max_regression_percent, Positive),
            "min_ops_per_sec" => (&mut self.min_ops_per_sec, Positive),
            "max_concurrent_p99_us" => (&mut self.max_concurrent_p99_us, Positive),
            "max_instructions" => (&mut self.max_instructions, Positive),
            "min_elements_per_sec" => (&mut self.min_elements_per_sec, Positive),
            "min_bytes_per_sec" => (&mut self.min_bytes_per_sec, Positive),
            "timeout_s" => (&mut self.timeout_s, Timeout),
            _ => {
                return Err(meta.error(format!("unknown key `{key}`; expected one of: {KEYS}")));
            }
        };
        *slot.0 = Some(parse_number(key, meta, slot.1)?);
        Ok(())
    }
}

fn parse_number(key: &str, meta: &ParseNestedMeta, range: Range) -> syn::Result<Number> {
    let input = meta.value()?;
    if input.peek(Token![-]) {
        let minus: Token![-] = input.parse()?;
        return Err(syn::Error::new(
            minus.span,
            format!("`{key}` must not be negative"),
        ));
    }
    let lit: Lit = input.parse().map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("`{key}` takes a number literal such as 6.4 or 12 (constants and NaN are not limits)"),
        )
    })?;
    let value = match &lit {
        Lit::Int(int) => int.base10_parse::<f64>()?,
        Lit::Float(float) => float.base10_parse::<f64>()?,
        other => {
            return Err(syn::Error::new(
                other.span(),
                format!("`{key}` takes a number literal such as 6.4 or 12"),
            ));
        }
    };
    let span = lit.span();
    if !value.is_finite() {
        return Err(syn::Error::new(
            span,
            format!("`{key}` must be a finite number"),
        ));
    }
    match range {
        Range::Positive if value <= 0.0 => Err(syn::Error::new(
            span,
            format!("`{key}` must be greater than zero"),
        )),
        Range::Fraction if !(0.0..=1.0).contains(&value) => Err(syn::Error::new(
            span,
            format!(
                "`{key}` is a share from 0 to 1 (0.999 means 99.9%; 0 accepts an operation whose \
                 every call returns `Err`)"
            ),
        )),
        Range::Timeout if !(value > 0.0 && value <= MAX_TIMEOUT_S) => Err(syn::Error::new(
            span,
            format!("`{key}` is a number of seconds greater than zero and at most {MAX_TIMEOUT_S}"),
        )),
        _ => Ok(Number {
            value,
            span: meta.path.span(),
        }),
    }
}

fn parse_sizes(meta: &ParseNestedMeta) -> syn::Result<(proc_macro2::Span, Vec<u64>)> {
    let input = meta.value()?;
    let content;
    let brackets = syn::bracketed!(content in input);
    let sizes = content.parse_terminated(<syn::LitInt as syn::parse::Parse>::parse, Token![,])?;
    if sizes.is_empty() {
        return Err(syn::Error::new(
            brackets.span.join(),
            "`sizes` must list at least one input size",
        ));
    }
    let mut values: Vec<u64> = Vec::new();
    for size in &sizes {
        let n: u64 = size.base10_parse()?;
        if n == 0 {
            return Err(syn::Error::new(
                size.span(),
                "an input size must be at least 1",
            ));
        }
        if values.last().is_some_and(|last| n <= *last) {
            return Err(syn::Error::new(
                size.span(),
                "`sizes` must be strictly ascending",
            ));
        }
        values.push(n);
    }
    Ok((brackets.span.join(), values))
}

/// What a list of names in the attribute holds.
#[derive(Clone, Copy)]
enum Names {
    /// `stages`.
    Stages,
    /// `requires_env`: environment variable names.
    Variables,
}

/// Parses `key = ["a", "b"]`: at least one name, none empty, none twice; a variable name has no
/// `=` and no NUL (the environment could not hold it).
fn parse_names(meta: &ParseNestedMeta, kind: Names) -> syn::Result<Vec<LitStr>> {
    let (key, what, omit) = match kind {
        Names::Stages => ("stages", "stage", "to run at every stage"),
        Names::Variables => (
            "requires_env",
            "variable",
            "when the operation needs no environment variable",
        ),
    };
    let input = meta.value()?;
    let content;
    let brackets = syn::bracketed!(content in input);
    let names = content.parse_terminated(<LitStr as syn::parse::Parse>::parse, Token![,])?;
    if names.is_empty() {
        return Err(syn::Error::new(
            brackets.span.join(),
            format!("`{key}` must name at least one {what} (omit the key {omit})"),
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for name in &names {
        let value = name.value();
        if value.trim().is_empty() {
            return Err(syn::Error::new(
                name.span(),
                format!("a {what} name must not be empty"),
            ));
        }
        if matches!(kind, Names::Variables) && (value.contains('=') || value.contains('\0')) {
            return Err(syn::Error::new(
                name.span(),
                "an environment variable name cannot contain `=` or a NUL byte",
            ));
        }
        if seen.contains(&value) {
            return Err(syn::Error::new(
                name.span(),
                format!("{what} `{value}` is listed twice"),
            ));
        }
        seen.push(value);
    }
    Ok(names.into_iter().collect())
}
