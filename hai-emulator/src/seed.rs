//! What the emulator starts with, and the JSON seed file format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::state::{
    Application, ChargeType, ComputeNeed, DeployTemplate, Instance, InstanceState, Model, Service,
    ServiceState, Workflow,
};

/// The initial state. JSON form: `{"Instances": [ {Instance}, ... ], "Services": [...], ...}`
/// where each record uses the wire names of its Describe action (`InstanceId`,
/// `InstanceState`, ...) plus emulator-only fields such as `ChargeType` and `FailWith` (see
/// the crate README). Only `Instances` is required; `Services` and `Applications` default to
/// none, `Models`, `Templates`, `Workflows` and `ServiceBundleStock` to the built-in catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Seed {
    /// Instances in the order DescribeInstances lists them.
    pub instances: Vec<Instance>,
    /// Inference services in the order DescribeServices lists them.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Custom applications (DescribeApplications lists them after the public catalogue).
    #[serde(default)]
    pub applications: Vec<Application>,
    /// Models inference services can be deployed with.
    #[serde(default = "default_models")]
    pub models: Vec<Model>,
    /// Deployment templates of the models.
    #[serde(default = "default_templates")]
    pub templates: Vec<DeployTemplate>,
    /// Musk workflows prompts can run on.
    #[serde(default = "default_workflows")]
    pub workflows: Vec<Workflow>,
    /// Free nodes of each inference bundle type; services take `replicas x nodes` and give
    /// them back when deleted or scaled down. A request needing more gets
    /// `ResourceInsufficient.BundleInventoryShortage`.
    #[serde(default = "default_stock")]
    pub service_bundle_stock: BTreeMap<String, u64>,
}

impl Seed {
    /// No instances, services or custom applications; the built-in models, templates,
    /// workflows and bundle stock.
    pub fn empty() -> Self {
        Seed {
            instances: Vec::new(),
            services: Vec::new(),
            applications: Vec::new(),
            models: default_models(),
            templates: default_templates(),
            workflows: default_workflows(),
            service_bundle_stock: default_stock(),
        }
    }

    /// Appends `n` generated postpaid `RUNNING` instances, `hai-g0000000`, `hai-g0000001`, ...
    /// (named `bulk-0`, `bulk-1`, ..., each with its own public and private address), e.g. to
    /// exercise paging through hundreds of instances.
    pub fn with_generated(mut self, n: usize) -> Self {
        for i in 0..n {
            let inst = Instance::new(format!("hai-g{i:07}"), InstanceState::Running)
                .with_name(format!("bulk-{i}"))
                .with_addresses(
                    &format!(
                        "43.{}.{}.{}",
                        130 + (i >> 16) % 100,
                        (i >> 8) & 0xff,
                        i & 0xff
                    ),
                    &format!(
                        "10.{}.{}.{}",
                        1 + (i >> 16) % 200,
                        (i >> 8) & 0xff,
                        i & 0xff
                    ),
                );
            self.instances.push(inst);
        }
        self
    }

    /// Parses a seed file's JSON text.
    pub fn from_json(text: &str) -> Result<Seed, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The documented default seed: `hai-dunyfddn` running, one instance in every other state,
/// a prepaid running instance and one whose operations fail with `InternalError`; services in
/// the states and conditions each inference error code needs; one custom application; the
/// built-in catalogue (see the crate README).
impl Default for Seed {
    fn default() -> Self {
        use InstanceState::*;
        let mk = |id: &str, name: &str, state| Instance::new(id, state).with_name(name);
        Seed {
            services: default_services(),
            applications: vec![{
                let mut a = Application::new("app-lfflw9lw", "my-pytorch-env");
                a.description = "A custom environment made from hai-dunyfddn.".to_owned();
                a.source_instance_id = Some("hai-dunyfddn".to_owned());
                a.scene_id = Some("scene-devenv01".to_owned());
                a.create_time = "2024-07-11 16:36:08".to_owned();
                a
            }],
            models: default_models(),
            templates: default_templates(),
            workflows: default_workflows(),
            service_bundle_stock: default_stock(),
            instances: vec![
                mk("hai-dunyfddn", "demo-running", Running)
                    .with_addresses("43.134.1.10", "10.0.0.10"),
                mk("hai-running2", "spare-running", Running)
                    .with_addresses("43.134.1.11", "10.0.0.11"),
                mk("hai-pending1", "demo-pending", Pending),
                mk("hai-lnchfail", "demo-launch-failed", LaunchFailed),
                mk("hai-arrears1", "demo-arrears", Arrears),
                mk("hai-stopped1", "demo-stopped", StoppedNoCharge)
                    .with_addresses("43.134.1.15", "10.0.0.15"),
                mk("hai-termning", "demo-terminating", Terminating),
                mk("hai-termnatd", "demo-terminated", Terminated),
                mk("hai-prepaid1", "demo-prepaid", Running)
                    .with_charge_type(ChargeType::PrepaidByMonth),
                mk("hai-broken01", "demo-internal-error", Running).with_fail_with("InternalError"),
            ],
        }
    }
}

/// The seed's running services and one for each condition an error code needs.
fn default_services() -> Vec<Service> {
    use ServiceState::*;
    let mk = |id: &str, name: &str, state| Service::new(id, state).with_name(name);
    let mut embedding =
        mk("svc-fnay2k0u", "qwen-embedding", Running).with_template("mdl-qwen3emb", "tpl-qwenemb1");
    embedding.bundle_type = "24G_A10*1".to_owned();
    embedding.replicas = 2;
    embedding.vpc_endpoint = true;
    embedding.vpc_id = Some("vpc-a1b2c3d4".to_owned());
    embedding.subnet_id = Some("subnet-a1b2c3d4".to_owned());
    let mut autoscaled =
        mk("svc-autoscl1", "autoscaled", Running).with_template("mdl-k8vm3q7f", "tpl-qwen235b");
    autoscaled.autoscale = true;
    let mut prepaid =
        mk("svc-prepaid1", "prepaid", Running).with_template("mdl-s1cop2oq", "tpl-2czq2lnm");
    prepaid.charge_type = "PREPAID_BY_MONTH".to_owned();
    prepaid.renew_flag = Some("NOTIFY_AND_MANUAL_RENEW".to_owned());
    prepaid.expire_time = Some("2026-08-09 18:05:29".to_owned());
    let mut robot =
        mk("svc-robotvla", "robot-policy", Running).with_template("mdl-robotvla", "tpl-robotvla");
    robot.bundle_type = "48G_L20*4".to_owned();
    vec![
        mk("svc-6cidi7xs", "hai-infer", Running).with_template("mdl-s1cop2oq", "tpl-2czq2lnm"),
        embedding,
        autoscaled,
        mk("svc-creating", "warming-up", Creating).with_template("mdl-k8vm3q7f", "tpl-qwen235b"),
        mk("svc-crfail01", "never-ready", CreateFailed),
        mk("svc-arrears1", "suspended", Arrears).with_template("mdl-s1cop2oq", "tpl-2czq2lnm"),
        prepaid,
        mk("svc-broken01", "internal-error", Running)
            .with_template("mdl-s1cop2oq", "tpl-2czq2lnm")
            .with_fail_with("InternalError"),
        robot,
    ]
}

fn default_models() -> Vec<Model> {
    let mk = |id: &str, name: &str, description: &str, tag: &str, scene: &str| Model {
        model_id: id.to_owned(),
        model_name: name.to_owned(),
        description: description.to_owned(),
        tags: vec![tag.to_owned()],
        config_environment: "CentOS 7.9 64-bit; nvidia 535.216.01 | cuda12.2".to_owned(),
        scene_id: Some(scene.to_owned()),
        model_state: "ONLINE".to_owned(),
        embodied: false,
    };
    vec![
        mk(
            "mdl-s1cop2oq",
            "DeepSeek-V3.2-Channel-INT8",
            "DeepSeek-V3.2 quantised to INT8 per channel.",
            "LLM",
            "scene-llmchat1",
        ),
        mk(
            "mdl-k8vm3q7f",
            "Qwen3-235B-A22B",
            "A mixture-of-experts chat model with 22B active parameters.",
            "LLM",
            "scene-llmchat1",
        ),
        mk(
            "mdl-qwen3emb",
            "Qwen3-Embedding-8B",
            "Text embeddings for retrieval.",
            "Embedding",
            "scene-llmchat1",
        ),
        mk(
            "mdl-fluxdev1",
            "FLUX.1-dev",
            "Text-to-image generation.",
            "Image generation",
            "scene-aipaint1",
        ),
        Model {
            embodied: true,
            ..mk(
                "mdl-robotvla",
                "Embodied-VLA-7B",
                "A vision-language-action policy for robots.",
                "Embodied intelligence",
                "scene-devenv01",
            )
        },
    ]
}

fn default_templates() -> Vec<DeployTemplate> {
    let mk = |id: &str, model: &str, mode: &str, engine: &str, bundle: &str, count: u64| {
        DeployTemplate {
            template_id: id.to_owned(),
            model_id: model.to_owned(),
            deploy_mode: mode.to_owned(),
            engine_type: engine.to_owned(),
            compute: vec![ComputeNeed {
                bundle_type: bundle.to_owned(),
                count,
            }],
            support_func: Vec::new(),
            one_service_only: false,
            vpc_endpoint: true,
        }
    };
    vec![
        DeployTemplate {
            support_func: vec!["hicache".to_owned()],
            ..mk(
                "tpl-2czq2lnm",
                "mdl-s1cop2oq",
                "SINGLE_NODE",
                "Sglang",
                "96G_A*8",
                1,
            )
        },
        mk(
            "tpl-gxbn79mi",
            "mdl-s1cop2oq",
            "MULTI_NODE",
            "Sglang",
            "96G_A*8",
            2,
        ),
        mk(
            "tpl-qwen235b",
            "mdl-k8vm3q7f",
            "SINGLE_NODE",
            "vLLM",
            "96G_A*8",
            1,
        ),
        mk(
            "tpl-h20node1",
            "mdl-k8vm3q7f",
            "SINGLE_NODE",
            "Sglang",
            "141G_H20*8",
            1,
        ),
        mk(
            "tpl-qwenemb1",
            "mdl-qwen3emb",
            "SINGLE_NODE",
            "vLLM",
            "24G_A10*1",
            1,
        ),
        DeployTemplate {
            compute: Vec::new(),
            ..mk(
                "tpl-retired1",
                "mdl-qwen3emb",
                "SINGLE_NODE",
                "vLLM",
                "24G_A10*1",
                1,
            )
        },
        DeployTemplate {
            one_service_only: true,
            vpc_endpoint: false,
            ..mk(
                "tpl-fluxtry1",
                "mdl-fluxdev1",
                "SINGLE_NODE",
                "ComfyUI",
                "48G_L20*4",
                1,
            )
        },
        mk(
            "tpl-robotvla",
            "mdl-robotvla",
            "SINGLE_NODE",
            "vLLM",
            "48G_L20*4",
            1,
        ),
    ]
}

fn default_workflows() -> Vec<Workflow> {
    vec![
        Workflow {
            workgroup_id: "4a3f3be9-f35b-40bf-b6bb-2af812dd63cb".to_owned(),
            workflow_id: "wf-b9dbb48a-f4cd-40f3-9a68-2af4c78d31a7".to_owned(),
            fail_with: None,
        },
        Workflow {
            workgroup_id: "4a3f3be9-f35b-40bf-b6bb-2af812dd63cb".to_owned(),
            workflow_id: "wf-0b5e6c1d-5d2a-4c55-9a3e-7a1f0e0b0e01".to_owned(),
            fail_with: Some("InternalError".to_owned()),
        },
    ]
}

fn default_stock() -> BTreeMap<String, u64> {
    [
        ("96G_A*8", 6),
        ("48G_L20*4", 4),
        ("24G_A10*1", 16),
        ("141G_H20*8", 0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
