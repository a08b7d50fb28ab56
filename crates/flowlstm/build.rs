//! Gives this crate's tests and benches an rpath to libtorch, so they run with no LD_LIBRARY_PATH,
//! and tells the crate where libtorch's CUDA library lies, so it can load it when a GPU is present.
fn main() {
    // torch-sys (links = "tch") prints `libtorch_lib`; cargo hands it to direct dependents.
    let dir = std::env::var("DEP_TCH_LIBTORCH_LIB").unwrap_or_default();
    if !dir.is_empty() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rustc-env=FLOW_LIBTORCH_LIB={dir}");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
}
