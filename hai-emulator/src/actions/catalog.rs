//! Read-only catalogues: regions, scenes, public applications, and the bundles RunInstances
//! sells.

use serde_json::{Map, Value};

use hai_sdk::describe_regions::{DescribeRegionsRequest, DescribeRegionsResponse};
use hai_sdk::describe_scenes::{DescribeScenesRequest, DescribeScenesResponse};
use hai_sdk::types;

use super::{check_id_list, decode, encode, is_id};
use crate::error::ApiError;
use crate::service::Shared;

/// One application image.
pub(crate) struct App {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub environment: &'static str,
    pub min_disk: i64,
    pub scene: &'static str,
    pub created: &'static str,
    pub size: i64,
}

/// The emulated application catalogue (all public).
pub(crate) const APPS: &[App] = &[
    App {
        id: "app-sdwebui1",
        name: "StableDiffusionWebUI",
        description: "AI painting with the Stable Diffusion web UI.",
        environment: "Ubuntu20.04, Python3.10, Pytorch2.0.0, CUDA11.7",
        min_disk: 80,
        scene: "scene-aipaint1",
        created: "2023-09-01 10:00:00",
        size: 42,
    },
    App {
        id: "app-comfyui1",
        name: "ComfyUI",
        description: "Node-based Stable Diffusion workflows.",
        environment: "Ubuntu20.04, Python3.10, Pytorch2.1.0, CUDA12.1",
        min_disk: 80,
        scene: "scene-aipaint1",
        created: "2023-12-01 10:00:00",
        size: 38,
    },
    App {
        id: "app-chatglm6",
        name: "ChatGLM2-6B",
        description: "A bilingual 6B-parameter chat model.",
        environment: "Ubuntu20.04, Python3.8, Pytorch2.0.0, CUDA11.7",
        min_disk: 100,
        scene: "scene-llmchat1",
        created: "2023-10-01 10:00:00",
        size: 55,
    },
    App {
        id: "app-pytorch2",
        name: "Pytorch2.0.0",
        description: "A development environment with Pytorch and JupyterLab.",
        environment: "Ubuntu20.04, Python3.8, Pytorch2.0.0, CUDA11.7",
        min_disk: 50,
        scene: "scene-devenv01",
        created: "2023-08-20 10:00:00",
        size: 20,
    },
];

/// The emulated scene catalogue: `(SceneId, SceneName)`.
pub(crate) const SCENES: &[(&str, &str)] = &[
    ("scene-aipaint1", "AI painting"),
    ("scene-llmchat1", "Large language models"),
    ("scene-devenv01", "Algorithm development"),
];

/// A bundle (hardware package): type, hourly price, monthly price (CNY).
pub(crate) const BUNDLES: &[(&str, f64, f64)] = &[
    ("XL", 1.2, 600.0),
    ("XL_2X", 2.4, 1200.0),
    ("2XL", 3.3, 1650.0),
    ("3XL", 5.0, 2500.0),
    ("3XL_2X", 10.0, 5000.0),
    ("4XL", 9.0, 4500.0),
];

fn region_name(region: &str) -> &'static str {
    match region {
        "ap-beijing" => "North China (Beijing)",
        "ap-chengdu" => "Southwest China (Chengdu)",
        "ap-chongqing" => "Southwest China (Chongqing)",
        "ap-guangzhou" => "South China (Guangzhou)",
        "ap-hongkong" => "Hong Kong, Macau and Taiwan (China) (Hong Kong, China)",
        "ap-nanjing" => "East China (Nanjing)",
        "ap-shanghai" => "East China (Shanghai)",
        "ap-singapore" => "Southeast Asia (Singapore)",
        "ap-tokyo" => "Northeast Asia (Tokyo)",
        "eu-frankfurt" => "Europe (Frankfurt)",
        "na-ashburn" => "US East (Virginia)",
        "na-siliconvalley" => "US West (Silicon Valley)",
        _ => "Region served by hai-emulator",
    }
}

/// DescribeRegions: the regions the emulator serves, all available.
pub(crate) fn describe_regions(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let _req: DescribeRegionsRequest = decode(params)?;
    let mut resp = DescribeRegionsResponse::default();
    resp.region_set = Some(
        shared
            .regions
            .iter()
            .map(|r| {
                let mut info = types::RegionInfo::default();
                info.region = Some(r.clone());
                info.region_name = Some(region_name(r).to_owned());
                info.region_state = Some("AVAILABLE".to_owned());
                let rocket = matches!(r.as_str(), "ap-guangzhou" | "ap-shanghai" | "ap-beijing");
                info.scholar_rocket_support_state =
                    Some(if rocket { "SUPPORTED" } else { "NOT_SUPPORTED" }.to_owned());
                info
            })
            .collect(),
    );
    encode(&resp)
}

pub(crate) fn is_scene_id(s: &str) -> bool {
    is_id(s, "scene")
}

/// DescribeScenes: the scene catalogue, optionally only the given `SceneIds` (unknown ones are
/// left out).
pub(crate) fn describe_scenes(params: Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeScenesRequest = decode(params)?;
    if let Some(ids) = &req.scene_ids {
        check_id_list(
            "SceneIds",
            ids,
            100,
            is_scene_id,
            "InvalidParameterValue.InvalidSceneIdMalformed",
        )?;
    }
    let mut resp = DescribeScenesResponse::default();
    resp.scene_set = Some(
        SCENES
            .iter()
            .filter(|(id, _)| {
                req.scene_ids
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|x| x == id))
            })
            .map(|(id, name)| {
                let mut s = types::SceneInfo::default();
                s.scene_id = Some((*id).to_owned());
                s.scene_name = Some((*name).to_owned());
                s
            })
            .collect(),
    );
    encode(&resp)
}

pub(crate) fn is_app_id(s: &str) -> bool {
    is_id(s, "app")
}
