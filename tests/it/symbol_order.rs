//! The release binary holds the functions of link/symbol-order.txt side by side, in the
//! file's order (build.rs hands it to the linker): the code a small run executes is then a
//! few MiB of memory instead of most of the binary. Read from the binary's own symbol
//! table, so the test fails if the order is not applied or the file has gone stale.

use foldhash::HashMap;
use std::path::Path;

/// The line that starts the file's second part.
const TESTS: &str = "# the binary of `cargo test --release`";

/// One function of an ELF file's symbol table.
struct Function {
    address: u64,
    size: u64,
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap())
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// The functions of a 64-bit little-endian ELF file's symbol table (`SHT_SYMTAB`), by name
/// (the ELF format's section header and symbol layouts).
fn functions(elf: &[u8]) -> HashMap<String, Function> {
    assert_eq!(
        &elf[..6],
        b"\x7fELF\x02\x01",
        "not a 64-bit little-endian ELF file"
    );
    let table = u64_at(elf, 0x28) as usize;
    let entry = u16_at(elf, 0x3a) as usize;
    let count = u16_at(elf, 0x3c) as usize;
    let section = |i: usize| &elf[table + i * entry..table + (i + 1) * entry];
    let symtab = (0..count)
        .map(section)
        .find(|s| u32_at(s, 4) == 2)
        .expect("the binary has a symbol table (is it stripped?)");
    let strtab = section(u32_at(symtab, 40) as usize);
    let strings = &elf[u64_at(strtab, 24) as usize..][..u64_at(strtab, 32) as usize];
    let symbols = &elf[u64_at(symtab, 24) as usize..][..u64_at(symtab, 32) as usize];
    let mut out = HashMap::default();
    for sym in symbols.chunks_exact(24) {
        const STT_FUNC: u8 = 2;
        if sym[4] & 0xf != STT_FUNC {
            continue;
        }
        let name = &strings[u32_at(sym, 0) as usize..];
        let name = &name[..name.iter().position(|&b| b == 0).unwrap()];
        out.insert(
            String::from_utf8_lossy(name).into_owned(),
            Function {
                address: u64_at(sym, 8),
                size: u64_at(sym, 16),
            },
        );
    }
    out
}

#[test]
fn the_functions_a_small_run_executes_are_laid_out_together_in_the_files_order() {
    let how = env!("WFK_SYMBOL_ORDER");
    if how != "applied" {
        // build.rs applies the order to release builds for x86_64 Linux only, what CI
        // builds (scripts/test.sh tests the release build).
        if !cfg!(debug_assertions) && cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            panic!("the symbol order is not applied to this release build: {how}");
        }
        return;
    }
    let listed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("link/symbol-order.txt"),
    )
    .unwrap();
    fn names(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }
    // The file's second part holds the names only the build of `cargo test` has: the
    // features its dependencies switch on rename most functions (bench/symbol-order).
    let ours = names(&listed[listed.find(TESTS).expect("the file's second part")..]);
    let listed = names(&listed);
    let binary = std::fs::read(env!("CARGO_BIN_EXE_wfk")).unwrap();
    let functions = functions(&binary);
    assert!(
        functions.len() > 1000,
        "only {} functions in the binary's symbol table",
        functions.len()
    );
    let present: Vec<(&str, &Function)> = listed
        .iter()
        .filter_map(|name| functions.get(*name).map(|f| (*name, f)))
        .collect();
    let ours_present = ours.iter().filter(|n| functions.contains_key(**n)).count();
    assert!(
        ours_present * 10 >= ours.len() * 8,
        "only {ours_present} of the {} functions link/symbol-order.txt lists for this build are \
         in the binary: their names changed (a dependency or the compiler was updated); run \
         bench/symbol-order",
        ours.len()
    );
    for pair in present.windows(2) {
        let ((a, fa), (b, fb)) = (pair[0], pair[1]);
        assert!(
            fa.address <= fb.address,
            "`{b}` is laid out before `{a}`, which link/symbol-order.txt lists first: the \
             linker did not follow the file"
        );
    }
    // Side by side: the span from the first to the end of the last is their sizes, and
    // at most 64 bytes of alignment between two.
    let first = present[0].1.address;
    let last = present
        .iter()
        .map(|(_, f)| f.address + f.size)
        .max()
        .unwrap();
    let sizes: u64 = present.iter().map(|(_, f)| f.size).sum();
    let slack = 64 * present.len() as u64;
    assert!(
        last - first <= sizes + slack,
        "the listed functions span {} bytes for {sizes} bytes of code: something is laid out \
         between them",
        last - first
    );
}

/// The image builds with the compiler that wrote the order: another compiler names every
/// function differently, and the linker would find none of them.
#[test]
fn the_dockerfile_builds_with_the_compiler_the_order_was_written_with() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = std::fs::read_to_string(root.join("link/symbol-order.txt")).unwrap();
    let written = listed
        .lines()
        .find_map(|l| l.strip_prefix("# written with rustc "))
        .expect("link/symbol-order.txt names the compiler that wrote it (bench/symbol-order)");
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let image = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("FROM rust:"))
        .expect("the Dockerfile builds FROM a rust image");
    let version = image.split(['-', ' ']).next().unwrap();
    assert_eq!(
        version, written,
        "the Dockerfile builds with rust:{version}, but link/symbol-order.txt was written with \
         rustc {written}: build the image with the same compiler (`FROM rust:{written}-…`), or \
         run bench/symbol-order with the image's"
    );
}
