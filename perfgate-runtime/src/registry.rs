//! What is annotated: the operations registered by `#[perf_budget]`, collected through `inventory`.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

/// Limits written in a `#[perf_budget]` attribute. `None` is "not set here".
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AttrLimits {
    /// `max_us`.
    pub max_us: Option<f64>,
    /// `max_p95_us`.
    pub max_p95_us: Option<f64>,
    /// `max_p99_us`.
    pub max_p99_us: Option<f64>,
    /// `max_allocs`.
    pub max_allocs: Option<f64>,
    /// `max_memory_kb`.
    pub max_memory_kb: Option<f64>,
    /// `max_instance_bytes`.
    pub max_instance_bytes: Option<f64>,
    /// `min_success_rate`.
    pub min_success_rate: Option<f64>,
    /// `max_regression_percent`.
    pub max_regression_percent: Option<f64>,
    /// `min_ops_per_sec`.
    pub min_ops_per_sec: Option<f64>,
    /// `max_concurrent_p99_us`.
    pub max_concurrent_p99_us: Option<f64>,
    /// `max_instructions`.
    pub max_instructions: Option<f64>,
    /// `min_elements_per_sec`.
    pub min_elements_per_sec: Option<f64>,
    /// `min_bytes_per_sec`.
    pub min_bytes_per_sec: Option<f64>,
}

/// One annotated function, as registered by the macro. Every field is const-constructible.
pub struct Entry {
    /// The operation's name (`op = ...`, or the function's name).
    pub op: &'static str,
    /// The annotated function's name.
    pub function: &'static str,
    /// `module_path!()` of the annotated function.
    pub module_path: &'static str,
    /// Source file of the annotated function, as `file!()` gives it.
    pub file: &'static str,
    /// Line of the function's name.
    pub line: u32,
    /// The attribute's limits.
    pub limits: AttrLimits,
    /// Stages at which the operation must run; empty is "every stage".
    pub stages: &'static [&'static str],
    /// `requires_env`: environment variables that must be set, and not empty, for the operation
    /// to run; when one is not, the operation is reported ignored, naming it.
    pub requires_env: &'static [&'static str],
    /// `timeout_s`, when given.
    pub timeout_s: Option<f64>,
    /// `enable_memory_leak_check`, when given.
    pub enable_memory_leak_check: Option<bool>,
    /// `cfg!(debug_assertions)` in the crate of the annotated function: its timings then include
    /// checks (and overflow checks, which follow them by default) that release builds skip.
    pub debug_assertions: bool,
    /// `sizes = [...]`: each input size and the callable built on inputs of that size
    /// (`setup(n)`); empty for an operation without sizes. [`Entry::routine`] is then the largest.
    pub sizes: &'static [(usize, Build)],
    /// `max_complexity`: the growth class the cost over `sizes` may not exceed.
    pub max_complexity: Option<&'static str>,
    /// `throughput`: what one call processes, counted per input (`"elements"` or `"bytes"`);
    /// the routine then knows how many per call ([`Routine::units_per_call`]).
    pub throughput: Option<&'static str>,
    /// Builds the callable: runs `setup` (untimed) and captures the inputs.
    pub routine: fn() -> Box<dyn Routine>,
}

inventory::collect!(Entry);

/// Builds an operation's callable: runs `setup` (untimed) and captures the inputs.
pub type Build = fn() -> Box<dyn Routine>;

impl Entry {
    /// `file:line` of the annotated function.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// Why the operation cannot run in this environment: the `requires_env` variables that are
    /// unset or empty, named; `None` when every one is set.
    pub fn missing_environment(&self) -> Option<String> {
        let missing: Vec<&str> = self
            .requires_env
            .iter()
            .copied()
            .filter(|name| std::env::var_os(name).is_none_or(|value| value.is_empty()))
            .collect();
        match missing.as_slice() {
            [] => None,
            [one] => Some(format!("requires_env: {one} is not set")),
            many => Some(format!("requires_env: {} are not set", many.join(", "))),
        }
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("op", &self.op)
            .field("function", &self.function)
            .field("location", &self.location())
            .finish_non_exhaustive()
    }
}

/// A measurable operation: the annotated function bound to its inputs.
///
/// The harness only ever sees this trait; the macro builds it with [`routine`].
pub trait Routine {
    /// How many distinct inputs are cycled through.
    fn input_count(&self) -> usize;
    /// Runs `calls` calls, cycling through the inputs, and returns how many failed (`Err`).
    fn run(&mut self, calls: u64) -> u64;
    /// Makes one call and runs `probe` while the returned value is still alive;
    /// returns `size_of_val` of that value.
    fn hold(&mut self, probe: &mut dyn FnMut()) -> usize;
    /// Moves the input cursor to `position` (modulo the number of inputs), so that concurrent
    /// sessions start at different points of the mix, and a re-timed batch calls the same inputs.
    fn seek(&mut self, position: usize);
    /// Where the input cursor is.
    fn position(&self) -> usize;
    /// With `throughput`: the elements or bytes one call processes, the mean over the inputs
    /// cycled through (each input is called equally often).
    fn units_per_call(&self) -> Option<f64> {
        None
    }
}

/// What `throughput = "elements"` counts in an input when no `throughput_count` is given: its
/// length (a string's in bytes).
#[diagnostic::on_unimplemented(
    message = "`throughput` counts the input's length, but `{Self}` has none perfgate knows",
    label = "`{Self}` is not a slice, string, `Vec` or standard collection",
    note = "give `throughput_count = path::to::fn`, a function taking `&{Self}` and returning the count of elements or bytes"
)]
pub trait Len {
    /// Elements (or bytes, for strings and byte slices) in the input.
    fn count(&self) -> usize;
}

impl<T> Len for [T] {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<T, const N: usize> Len for [T; N] {
    fn count(&self) -> usize {
        N
    }
}
impl Len for str {
    fn count(&self) -> usize {
        self.len()
    }
}
impl Len for String {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<T> Len for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<T> Len for std::collections::VecDeque<T> {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<K, V, S> Len for std::collections::HashMap<K, V, S> {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<T, S> Len for std::collections::HashSet<T, S> {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<K, V> Len for std::collections::BTreeMap<K, V> {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<T> Len for std::collections::BTreeSet<T> {
    fn count(&self) -> usize {
        self.len()
    }
}
impl<T: Len + ?Sized> Len for &T {
    fn count(&self) -> usize {
        (**self).count()
    }
}
impl<T: Len + ?Sized> Len for Box<T> {
    fn count(&self) -> usize {
        (**self).count()
    }
}

/// What `throughput = "bytes"` counts in an input when no `throughput_count` is given: the bytes
/// it holds in line — a string's or a byte slice's length, a slice's or `Vec`'s elements times
/// their size. (A collection of boxed or heap-owning items has no such count: give
/// `throughput_count`.)
#[diagnostic::on_unimplemented(
    message = "`throughput = \"bytes\"` counts the input's bytes, but perfgate cannot tell how many bytes `{Self}` holds",
    label = "`{Self}` is not a string, slice, array or `Vec`",
    note = "give `throughput_count = path::to::fn`, a function taking `&{Self}` and returning its bytes"
)]
pub trait ByteLen {
    /// Bytes the input holds in line.
    fn bytes(&self) -> usize;
}

impl<T> ByteLen for [T] {
    fn bytes(&self) -> usize {
        std::mem::size_of_val(self)
    }
}
impl<T, const N: usize> ByteLen for [T; N] {
    fn bytes(&self) -> usize {
        std::mem::size_of_val(self)
    }
}
impl<T> ByteLen for Vec<T> {
    fn bytes(&self) -> usize {
        std::mem::size_of_val(self.as_slice())
    }
}
impl ByteLen for str {
    fn bytes(&self) -> usize {
        self.len()
    }
}
impl ByteLen for String {
    fn bytes(&self) -> usize {
        self.len()
    }
}
impl<T: ByteLen + ?Sized> ByteLen for &T {
    fn bytes(&self) -> usize {
        (**self).bytes()
    }
}
impl<T: ByteLen + ?Sized> ByteLen for Box<T> {
    fn bytes(&self) -> usize {
        (**self).bytes()
    }
}

/// A routine that knows how many elements or bytes a call processes.
struct Counted {
    inner: Box<dyn Routine>,
    units_per_call: f64,
}

impl Routine for Counted {
    fn input_count(&self) -> usize {
        self.inner.input_count()
    }
    #[inline(never)]
    fn run(&mut self, calls: u64) -> u64 {
        self.inner.run(calls)
    }
    fn hold(&mut self, probe: &mut dyn FnMut()) -> usize {
        self.inner.hold(probe)
    }
    fn seek(&mut self, position: usize) {
        self.inner.seek(position);
    }
    fn position(&self) -> usize {
        self.inner.position()
    }
    fn units_per_call(&self) -> Option<f64> {
        Some(self.units_per_call)
    }
}

/// `routine`, processing `units_per_call` elements or bytes per call (`throughput`).
pub fn with_units(routine: Box<dyn Routine>, units_per_call: f64) -> Box<dyn Routine> {
    Box::new(Counted {
        inner: routine,
        units_per_call,
    })
}

/// The mean of `count` over the stored inputs, each lent as the `&T` the operation takes: the
/// elements or bytes one call processes, on average over the mix. Zero without inputs.
pub fn units_per_call<T: ?Sized, X: Borrow<T>>(inputs: &[X], count: impl Fn(&T) -> f64) -> f64 {
    if inputs.is_empty() {
        return 0.0;
    }
    inputs
        .iter()
        .map(|input| count(input.borrow()))
        .sum::<f64>()
        / inputs.len() as f64
}

struct Calls<I, C, H> {
    inputs: Vec<I>,
    cursor: usize,
    call: C,
    hold: H,
}

/// The input index at `cursor`, moving the cursor on to the next one (wrapping at `len`, which
/// must not be zero). Shared by the routines and the macro's `async` batch loop.
#[inline(always)]
pub fn advance(cursor: &mut usize, len: usize) -> usize {
    let index = *cursor;
    *cursor += 1;
    if *cursor == len {
        *cursor = 0;
    }
    index
}

impl<I, C, H> Routine for Calls<I, C, H>
where
    C: FnMut(&I) -> bool,
    H: FnMut(&I, &mut dyn FnMut()) -> usize,
{
    fn input_count(&self) -> usize {
        self.inputs.len()
    }

    #[inline(never)]
    fn run(&mut self, calls: u64) -> u64 {
        if self.inputs.is_empty() {
            return calls;
        }
        let mut failures = 0;
        for _ in 0..calls {
            let index = advance(&mut self.cursor, self.inputs.len());
            failures += u64::from(!(self.call)(&self.inputs[index]));
        }
        failures
    }

    fn seek(&mut self, position: usize) {
        self.cursor = position.checked_rem(self.inputs.len()).unwrap_or(0);
    }

    fn position(&self) -> usize {
        self.cursor
    }

    fn hold(&mut self, probe: &mut dyn FnMut()) -> usize {
        if self.inputs.is_empty() {
            return 0;
        }
        let index = advance(&mut self.cursor, self.inputs.len());
        (self.hold)(&self.inputs[index], probe)
    }
}

/// Binds a function (through its `call` and `hold` closures) to its inputs.
pub fn routine<I, C, H>(inputs: Vec<I>, call: C, hold: H) -> Box<dyn Routine>
where
    I: 'static,
    C: FnMut(&I) -> bool + 'static,
    H: FnMut(&I, &mut dyn FnMut()) -> usize + 'static,
{
    Box::new(Calls {
        inputs,
        cursor: 0,
        call,
        hold,
    })
}

/// An `async fn` bound to its inputs and to a current-thread tokio runtime of its own, with the
/// I/O and time drivers enabled: connections an operation opens (lazily, on its first call) are
/// driven by this runtime, during the batches.
///
/// The macro generates `run` as one `block_on` over a whole batch of calls, so a call costs an
/// `.await` of the operation's future and nothing more: no runtime start, no task spawn.
#[cfg(feature = "async")]
struct AsyncCalls<I, C, H> {
    inputs: Vec<I>,
    cursor: usize,
    runtime: tokio::runtime::Runtime,
    run: C,
    hold: H,
}

#[cfg(feature = "async")]
impl<I, C, H> Routine for AsyncCalls<I, C, H>
where
    C: FnMut(&[I], &mut usize, u64, &tokio::runtime::Runtime) -> u64,
    H: FnMut(&I, &mut dyn FnMut(), &tokio::runtime::Runtime) -> usize,
{
    fn input_count(&self) -> usize {
        self.inputs.len()
    }

    #[inline(never)]
    fn run(&mut self, calls: u64) -> u64 {
        if self.inputs.is_empty() {
            return calls;
        }
        (self.run)(&self.inputs, &mut self.cursor, calls, &self.runtime)
    }

    fn hold(&mut self, probe: &mut dyn FnMut()) -> usize {
        if self.inputs.is_empty() {
            return 0;
        }
        let index = advance(&mut self.cursor, self.inputs.len());
        (self.hold)(&self.inputs[index], probe, &self.runtime)
    }

    fn seek(&mut self, position: usize) {
        self.cursor = position.checked_rem(self.inputs.len()).unwrap_or(0);
    }

    fn position(&self) -> usize {
        self.cursor
    }
}

/// Binds an `async fn` (through the macro's batch loop `run` and `hold`) to its inputs.
///
/// # Panics
/// If a tokio runtime cannot be started (the operating system refused a thread or a timer).
#[cfg(feature = "async")]
pub fn async_routine<I, C, H>(inputs: Vec<I>, run: C, hold: H) -> Box<dyn Routine>
where
    I: 'static,
    C: FnMut(&[I], &mut usize, u64, &tokio::runtime::Runtime) -> u64 + 'static,
    H: FnMut(&I, &mut dyn FnMut(), &tokio::runtime::Runtime) -> usize + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread tokio runtime starts");
    Box::new(AsyncCalls {
        inputs,
        cursor: 0,
        runtime,
        run,
        hold,
    })
}

/// What a `setup` function may return for an operation taking `&T`: one input or a `Vec` of
/// inputs that is cycled through (so that a realistic mix is measured), where an input is a `T`
/// or anything that borrows as one: `String` for `&str`, `Vec<u64>` for `&[u64]`, `Box<T>` or
/// `Arc<T>` for `&T`. `How` ([`One`] or [`Each`]) tells the two forms apart; it is inferred.
#[diagnostic::on_unimplemented(
    message = "`setup` returns `{Self}`, which cannot give the measured function its `&{T}`",
    label = "this `setup` must return one input or a `Vec` of inputs that borrow as `{T}`",
    note = "an input is a `{T}` or a value that borrows as one (`String` for `&str`, `Vec<T>` for `&[T]`, `Box<T>` for `&T`)"
)]
pub trait IntoInputs<T: ?Sized, How> {
    /// The stored input.
    type Item: Borrow<T> + 'static;
    /// The inputs, in the order they are cycled through.
    fn into_inputs(self) -> Vec<Self::Item>;
}

/// `setup` returned a `Vec` of inputs.
pub struct Each;
/// `setup` returned one input.
pub struct One;

impl<T: ?Sized, X: Borrow<T> + 'static> IntoInputs<T, Each> for Vec<X> {
    type Item = X;
    fn into_inputs(self) -> Vec<X> {
        self
    }
}

impl<T: ?Sized, X: Borrow<T> + 'static> IntoInputs<T, One> for X {
    type Item = X;
    fn into_inputs(self) -> Vec<X> {
        vec![self]
    }
}

/// The inputs a `setup` function produced, for an operation taking `&T`.
pub fn inputs<T: ?Sized, How, S: IntoInputs<T, How>>(setup_output: S) -> Vec<S::Item> {
    setup_output.into_inputs()
}

/// The `&T` the operation takes, from a stored input.
#[inline(always)]
pub fn borrow<T: ?Sized, X: Borrow<T>>(input: &X) -> &T {
    input.borrow()
}

/// A value an operation returned, inspected by [`SucceededViaResult`] or [`SucceededViaAny`].
pub struct Returned<'a, T>(pub &'a T);

/// Chosen by method resolution for `Result`s: an `Err` is a failed call.
pub trait SucceededViaResult {
    /// False for an `Err`.
    fn succeeded(&self) -> bool;
}

impl<T, E> SucceededViaResult for &Returned<'_, Result<T, E>> {
    #[inline(always)]
    fn succeeded(&self) -> bool {
        self.0.is_ok()
    }
}

/// Chosen for every other type: the call succeeded if it returned.
pub trait SucceededViaAny {
    /// Always true.
    fn succeeded(&self) -> bool;
}

impl<T> SucceededViaAny for Returned<'_, T> {
    #[inline(always)]
    fn succeeded(&self) -> bool {
        true
    }
}

/// Why the registered operations cannot be run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RegistryError {
    #[error(
        "no operations are registered. Annotate functions with #[perf_budget] and name their crate \
         in the perf test: `perfgate_runtime::main!(my_crate);` (a crate that is only a \
         dev-dependency and never referenced is dropped by the linker, with its operations)"
    )]
    Empty,
    #[error(
        "operation `{op}` is registered twice: at {first} and at {second}; operation names must be unique"
    )]
    Duplicate {
        op: String,
        first: String,
        second: String,
    },
}

/// Every registered operation, sorted by name, checked for duplicates.
pub fn registered() -> Result<Vec<&'static Entry>, RegistryError> {
    collect(inventory::iter::<Entry>)
}

/// Sorts and checks a set of entries (the registry's logic, separate from `inventory`).
pub fn collect<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
) -> Result<Vec<&'a Entry>, RegistryError> {
    let mut by_op: BTreeMap<&str, &Entry> = BTreeMap::new();
    for entry in entries {
        if let Some(first) = by_op.insert(entry.op, entry) {
            let (a, b) = order(first, entry);
            return Err(RegistryError::Duplicate {
                op: entry.op.to_string(),
                first: a.location(),
                second: b.location(),
            });
        }
    }
    if by_op.is_empty() {
        return Err(RegistryError::Empty);
    }
    Ok(by_op.into_values().collect())
}

fn order<'a>(a: &'a Entry, b: &'a Entry) -> (&'a Entry, &'a Entry) {
    if (a.file, a.line) <= (b.file, b.line) {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_counted_in_line_and_elements_by_length() {
        let words: Vec<u64> = vec![1, 2, 3];
        assert_eq!(ByteLen::bytes(&words), 24, "three u64 are 24 bytes");
        assert_eq!(ByteLen::bytes(words.as_slice()), 24);
        assert_eq!(Len::count(&words), 3, "and three elements");
        assert_eq!(
            ByteLen::bytes("héllo"),
            6,
            "a string's bytes, not its chars"
        );
        assert_eq!(ByteLen::bytes(&vec![0u8; 4096]), 4096);
        assert_eq!(ByteLen::bytes(&[0u32; 4]), 16);
    }

    fn noop() -> Box<dyn Routine> {
        routine(
            vec![()],
            |_: &()| true,
            |_: &(), probe: &mut dyn FnMut()| {
                probe();
                0
            },
        )
    }

    fn entry(op: &'static str, line: u32) -> Entry {
        Entry {
            op,
            function: "f",
            module_path: "m",
            file: "src/lib.rs",
            line,
            limits: AttrLimits::default(),
            stages: &[],
            requires_env: &[],
            timeout_s: None,
            enable_memory_leak_check: None,
            debug_assertions: false,
            sizes: &[],
            max_complexity: None,
            throughput: None,
            routine: noop,
        }
    }

    #[test]
    fn collect_sorts_by_name() {
        let entries = [entry("b", 1), entry("a", 2), entry("c", 3)];
        let ops: Vec<_> = collect(&entries).unwrap().iter().map(|e| e.op).collect();
        assert_eq!(ops, ["a", "b", "c"]);
    }

    #[test]
    fn duplicates_name_both_locations() {
        let entries = [entry("a", 20), entry("a", 10)];
        let error = collect(&entries).unwrap_err();
        assert_eq!(
            error,
            RegistryError::Duplicate {
                op: "a".into(),
                first: "src/lib.rs:10".into(),
                second: "src/lib.rs:20".into()
            }
        );
    }

    #[test]
    fn nothing_registered_is_an_error_that_explains_linking() {
        let error = collect(&[]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("perfgate_runtime::main!(my_crate)")
        );
    }

    #[test]
    fn routine_cycles_inputs_and_counts_failures() {
        let mut r = routine(
            vec![1, 2, 3],
            |x: &i32| *x != 2,
            |x: &i32, probe: &mut dyn FnMut()| {
                probe();
                *x as usize
            },
        );
        assert_eq!(r.input_count(), 3);
        assert_eq!(r.run(7), 2); // inputs 1,2,3,1,2,3,1
        let mut probed = 0;
        assert_eq!(r.hold(&mut || probed += 1), 2); // cursor continues at the 8th call: input 2
        assert_eq!(probed, 1);
    }

    #[test]
    // The double reference is what makes method resolution prefer `SucceededViaResult`.
    #[allow(clippy::needless_borrow)]
    fn returned_values_count_errors_of_any_result_alias() {
        use std::io;
        #[allow(unused_imports)]
        use {SucceededViaAny as _, SucceededViaResult as _};
        let err: io::Result<u8> = Err(io::Error::other("x"));
        let ok: Result<u8, ()> = Ok(1);
        let plain = 5u32;
        assert!(!(&&Returned(&err)).succeeded());
        assert!((&&Returned(&ok)).succeeded());
        assert!((&&Returned(&plain)).succeeded());
    }

    #[test]
    fn setup_may_return_one_input_or_many() {
        let many: Vec<Vec<u8>> = inputs::<Vec<u8>, _, _>(vec![vec![1], vec![2]]);
        let one: Vec<Vec<u8>> = inputs::<Vec<u8>, _, _>(vec![1u8, 2]);
        assert_eq!((many.len(), one.len()), (2, 1));
    }

    #[test]
    fn inputs_may_borrow_as_what_the_function_takes() {
        // `&str` from `String`s, `&[u64]` from `Vec`s: many, or one slice.
        let names = inputs::<str, _, _>(vec!["ping".to_string(), "tools/list".to_string()]);
        let lens: Vec<usize> = names.iter().map(|n| borrow::<str, _>(n).len()).collect();
        assert_eq!(lens, [4, 10]);
        let batches = inputs::<[u64], _, _>(vec![vec![1u64, 2], vec![3]]);
        assert_eq!(batches.len(), 2);
        let one = inputs::<[u64], _, _>(vec![1u64, 2, 3]);
        assert_eq!((one.len(), borrow::<[u64], _>(&one[0]).len()), (1, 3));
        let boxed = inputs::<u64, _, _>(Box::new(7u64));
        assert_eq!(*borrow::<u64, _>(&boxed[0]), 7);
    }
}
