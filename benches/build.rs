//! Gives the benchmarks an rpath to libtorch, so they run with no LD_LIBRARY_PATH.
fn main() {
    // torch-sys (links = "tch") prints `libtorch_lib`; cargo hands it to direct dependents.
    if let Ok(dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
