//! The Tencent api.json importer and the overlay merge (`hai_spec::tencent`,
//! `hai_spec::overlay`).
//!
//! The input is up to three NUL-separated parts: api.json, errors.json (empty: none) and
//! the overlay (empty: none); NUL never occurs in JSON text, so the parts cannot blur.
//! Oracles: a merged spec that validates can be written and loaded again; the overlay
//! extracted between the import and the merged spec turns the import into that spec.
#![no_main]

use hai_spec::overlay;
use hai_spec::tencent::{self, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0).map(std::str::from_utf8);
    let (Some(Ok(api)), errors, overlay_text) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let errors = match errors {
        Some(Ok("")) | None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => return,
    };
    let overlay_text = match overlay_text {
        Some(Ok("")) | None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => return,
    };

    let options = ImportOptions::default();
    let _ = tencent::import_to_string(api, errors, &options);
    let Ok(imported) = tencent::import(api, errors, &options) else {
        return;
    };
    let patch = match overlay_text.map(overlay::parse) {
        Some(Ok(p)) => {
            // An overlay that loads survives its own text form.
            if let Err(e) = overlay::parse(&overlay::to_text(&p)) {
                panic!("an overlay written back does not load: {e}");
            }
            p
        }
        Some(Err(_)) => return,
        None => overlay::Overlay::default(),
    };
    let mut merged = imported.clone();
    let report = overlay::apply(&mut merged, &patch);
    let _ = report.stale.iter().map(ToString::to_string).count();
    let _ = overlay::changes(&imported, &merged);
    if merged.validate().is_err() {
        return;
    }
    let text = hai_spec::to_text(&merged);
    if let Err(e) = hai_spec::parse(&text) {
        panic!("a merged spec that validates does not load once written: {e}");
    }
    if let Ok(extracted) = overlay::extract(&imported, &merged) {
        let mut again = imported.clone();
        overlay::apply(&mut again, &extracted);
        assert_eq!(
            hai_spec::to_text(&again),
            text,
            "import + extract(import, merged) differs from merged"
        );
    }
});
