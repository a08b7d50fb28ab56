//! Loading libtorch's CUDA library when a GPU may be present.
//!
//! torch-sys asks the linker for `libtorch_cuda.so`, but Rust links with `--as-needed` and nothing
//! in flow calls into that library by name (libtorch finds CUDA through hooks the library registers
//! as it loads), so the `flow` binary does not keep it: without this module `--device cuda` would
//! never see a GPU. Keeping it always would load about 3 GB of CUDA libraries at every start on
//! CPU-only machines too, so it is loaded here, once, when the NVIDIA driver is present or CUDA is
//! asked for by name.
//!
//! It must be loaded before libtorch is first asked about CUDA (`tch::manual_seed` asks):
//! libtorch keeps the first answer. Checked on an H100 with a small C++ program linked as flow is
//! (libtorch_cpu only, `--as-needed`): loading first gave `cuda:0` and a correct product; asking
//! first left CUDA unavailable after the load. [`crate::DeviceChoice::resolve`] loads it, and
//! every path resolves its device before touching libtorch otherwise.

use std::ffi::{CStr, CString};
use std::path::Path;
use std::sync::OnceLock;

/// Where torch-sys found libtorch when flow was built (empty if it did not say).
const LIBTORCH_LIB: &str = env!("FLOW_LIBTORCH_LIB");

static LOADED: OnceLock<Result<(), String>> = OnceLock::new();

/// Whether the NVIDIA driver is installed on this machine (its control device or its proc entry).
pub(crate) fn driver_present() -> bool {
    Path::new("/dev/nvidiactl").exists() || Path::new("/proc/driver/nvidia/version").exists()
}

/// Loads `libtorch_cuda.so` (from the libtorch flow was built with, else from the loader's search
/// path) once; the error says why it could not be loaded.
pub(crate) fn load() -> &'static Result<(), String> {
    LOADED.get_or_init(|| {
        let mut reasons = Vec::new();
        let built_with = Path::new(LIBTORCH_LIB).join("libtorch_cuda.so");
        let mut candidates = vec!["libtorch_cuda.so".to_string()];
        if !LIBTORCH_LIB.is_empty() && built_with.exists() {
            candidates.insert(0, built_with.to_string_lossy().into_owned());
        }
        for candidate in &candidates {
            let Ok(name) = CString::new(candidate.as_str()) else {
                continue;
            };
            // SAFETY: `name` is a valid C string; the handle is kept for the life of the process
            // (libtorch's CUDA hooks must stay registered), so it is never closed.
            let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
            if !handle.is_null() {
                return Ok(());
            }
            // SAFETY: dlerror returns null or a C string valid until the next dl* call on this thread.
            let reason = unsafe {
                let message = libc::dlerror();
                if message.is_null() {
                    "unknown reason".to_string()
                } else {
                    CStr::from_ptr(message).to_string_lossy().into_owned()
                }
            };
            reasons.push(reason);
        }
        if reasons.is_empty() {
            reasons.push("this build of libtorch has no libtorch_cuda.so".to_string());
        }
        Err(reasons.join("; "))
    })
}
