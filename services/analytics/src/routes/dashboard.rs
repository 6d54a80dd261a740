//! The dashboard: one page, its script and style, and the chart library (uPlot, vendored from
//! npm), compiled into the binary and served as they are: no build step, nothing from a CDN.
//! The page is public (it holds no data); it signs the administrator in and reads the
//! reporting API with their token.

use salvo::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use salvo::prelude::*;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../dashboard/app.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../dashboard/app.css"),
    },
    Asset {
        name: "uPlot.iife.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../dashboard/vendor/uPlot.iife.min.js"),
    },
    Asset {
        name: "uPlot.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../dashboard/vendor/uPlot.min.css"),
    },
];

const PAGE: &str = include_str!("../../dashboard/index.html");

fn send(res: &mut Response, content_type: &'static str, body: &'static str) {
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Served from the binary: a new release is a restart, so a short cache is enough.
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res.body(body);
}

#[handler]
pub async fn serve_page(res: &mut Response) {
    send(res, "text/html; charset=utf-8", PAGE);
}

#[handler]
pub async fn serve_asset(req: &mut Request, res: &mut Response) {
    let name: String = req.param("file").unwrap_or_default();
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => send(res, asset.content_type, asset.body),
        None => res.render(StatusError::not_found()),
    }
}
