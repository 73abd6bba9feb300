//! Applications: the public catalogue plus custom applications made by CreateApplication.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use hai_sdk::create_application::{CreateApplicationRequest, CreateApplicationResponse};
use hai_sdk::describe_applications::{DescribeApplicationsRequest, DescribeApplicationsResponse};
use hai_sdk::types;

use super::catalog::{is_app_id, is_scene_id, APPS};
use super::launch::format_time;
use super::store::{after, AppRecord};
use super::{check_id_list, decode, encode, new_id, paging};
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::{
    is_well_formed_id, Application, ApplicationState, Instance, InstanceState, Transition,
};

/// Longest `ApplicationName`, in characters.
pub(crate) const MAX_APP_NAME: usize = 60;

/// One application as DescribeApplications sees it, public or custom.
struct View {
    id: String,
    name: String,
    description: String,
    environment: String,
    min_disk: i64,
    kind: &'static str,
    state: &'static str,
    scene: Option<String>,
    created: String,
    size: i64,
}

impl View {
    fn info(&self) -> types::ApplicationInfo {
        let mut i = types::ApplicationInfo::default();
        i.application_id = Some(self.id.clone());
        i.application_name = Some(self.name.clone());
        i.description = Some(self.description.clone());
        i.config_environment = Some(self.environment.clone());
        i.min_system_disk_size = Some(self.min_disk);
        i.application_type = Some(self.kind.to_owned());
        i.application_state = Some(self.state.to_owned());
        i.create_time = Some(self.created.clone());
        i.application_size = Some(self.size);
        i
    }
}

fn all(custom: &[AppRecord]) -> Vec<View> {
    let mut out: Vec<View> = APPS
        .iter()
        .map(|a| View {
            id: a.id.to_owned(),
            name: a.name.to_owned(),
            description: a.description.to_owned(),
            environment: a.environment.to_owned(),
            min_disk: a.min_disk,
            kind: "PUBLIC_APPLICATION",
            state: "ONLINE",
            scene: Some(a.scene.to_owned()),
            created: a.created.to_owned(),
            size: a.size,
        })
        .collect();
    out.extend(custom.iter().map(|r| View {
        id: r.app.application_id.clone(),
        name: r.app.application_name.clone(),
        description: r.app.description.clone(),
        environment: r.app.config_environment.clone(),
        min_disk: r.app.min_system_disk_size,
        kind: "PRIVATE_APPLICATION",
        state: r.app.application_state.as_str(),
        scene: r.app.scene_id.clone(),
        created: r.app.create_time.clone(),
        size: r.app.application_size,
    }));
    out
}

const APP_FILTERS: &[&str] = &[
    "application-id",
    "scene-id",
    "application-name",
    "application-type",
];
const APP_TYPES: &[&str] = &[
    "PUBLIC_APPLICATION",
    "PRIVATE_APPLICATION",
    "COMMUNITY_APPLICATION",
];

/// DescribeApplications: `ApplicationIds` or `Filters` (`application-id`, `scene-id`,
/// `application-name` (case-insensitive substring), `application-type`), ordered by
/// `OrderField` (`CREATED_TIME`, the default, or `APPLICATION_SIZE`) and `Order` (`DESC`,
/// the default, or `ASC`), paged by `Offset`/`Limit`.
pub(crate) fn describe_applications(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeApplicationsRequest = decode(params)?;
    if req.application_ids.is_some() && req.filters.is_some() {
        return Err(ApiError::new(
            "InvalidParameter.AtMostOne",
            "ApplicationIds and Filters cannot be given together.",
        ));
    }
    if let Some(ids) = &req.application_ids {
        check_id_list(
            "ApplicationIds",
            ids,
            100,
            is_app_id,
            "InvalidParameterValue.InvalidApplicationIdMalformed",
        )?;
    }
    for f in req.filters.iter().flatten() {
        match f.name.as_str() {
            "application-id" => check_id_list(
                "Filters.Values",
                &f.values,
                100,
                is_app_id,
                "InvalidParameterValue.InvalidApplicationIdMalformed",
            )?,
            "scene-id" => check_id_list(
                "Filters.Values",
                &f.values,
                100,
                is_scene_id,
                "InvalidParameterValue.InvalidSceneIdMalformed",
            )?,
            "application-name" => {}
            "application-type" => {
                if let Some(bad) = f.values.iter().find(|v| !APP_TYPES.contains(&v.as_str())) {
                    return Err(ApiError::new(
                        "InvalidParameterValue.InvalidApplicationType",
                        format!(
                            "The application type `{bad}` is not one of {}.",
                            APP_TYPES.join(", ")
                        ),
                    ));
                }
            }
            other => {
                return Err(ApiError::invalid_value(
                    "Filters.Name",
                    &format!("`{other}` is not one of {}", APP_FILTERS.join(", ")),
                ))
            }
        }
    }
    // The documented values, the example's spelling and the lowercase forms.
    let field = req
        .order_field
        .as_deref()
        .unwrap_or("CREATED_TIME")
        .to_ascii_uppercase();
    let by_size = match field.as_str() {
        "CREATED_TIME" | "CREATE_TIME" => false,
        "APPLICATION_SIZE" => true,
        _ => {
            return Err(ApiError::new(
                "InvalidParameterValue.InvalidOrderField",
                format!("The order field `{field}` is not CREATED_TIME or APPLICATION_SIZE."),
            ))
        }
    };
    let order = req.order.as_deref().unwrap_or("DESC");
    if order != "ASC" && order != "DESC" {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidOrder",
            format!("The order `{order}` is not ASC or DESC."),
        ));
    }
    let (offset, limit) = paging(req.offset, req.limit)?;
    let apps = all(&shared.inference_at(Instant::now()).apps);
    let mut selected: Vec<&View> = apps
        .iter()
        .filter(|a| {
            req.application_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&a.id))
        })
        .filter(|a| {
            req.filters.iter().flatten().all(|f| {
                let any = |v: &str| f.values.iter().any(|x| x == v);
                match f.name.as_str() {
                    "application-id" => any(&a.id),
                    "scene-id" => a.scene.as_deref().is_some_and(any),
                    "application-name" => {
                        let name = a.name.to_lowercase();
                        f.values.iter().any(|v| name.contains(&v.to_lowercase()))
                    }
                    _ => any(a.kind),
                }
            })
        })
        .collect();
    if by_size {
        selected.sort_by(|a, b| a.size.cmp(&b.size).then(a.created.cmp(&b.created)));
    } else {
        selected.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
    }
    if order == "DESC" {
        selected.reverse();
    }
    let mut resp = DescribeApplicationsResponse::default();
    resp.total_count = Some(i64::try_from(selected.len()).unwrap_or(i64::MAX));
    resp.application_set = Some(
        selected
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(View::info)
            .collect(),
    );
    encode(&resp)
}

fn create_check(i: &Instance) -> Result<(), ApiError> {
    match i.instance_state {
        InstanceState::Running | InstanceState::StoppedNoCharge => Ok(()),
        InstanceState::Pending => Err(ApiError::new(
            "OperationDenied.InstanceOperationInProgress",
            format!("Instance `{}` is still being created.", i.instance_id),
        )),
        other => Err(ApiError::new(
            "UnsupportedOperation.InstanceCreateApplicationNotSupport",
            format!(
                "An application cannot be made from instance `{}`: it is {other}.",
                i.instance_id
            ),
        )),
    }
}

/// CreateApplication: from a `RUNNING` or `STOPPED_NO_CHARGE` instance with no operation in
/// progress, under a name none of the custom applications has. The application is
/// `CREATING` for `Timings::application_create` (its instance shows `LatestOperation`
/// `CreateApplication`, `OPERATING`, and refuses other operations meanwhile), then `ONLINE`.
pub(crate) fn create_application(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: CreateApplicationRequest = decode(params)?;
    let id = req.instance_id.as_str();
    if !is_well_formed_id(id) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidInstanceIdMalformed",
            format!("The instance ID `{id}` is malformed."),
        ));
    }
    let name = req.application_name.trim();
    if name.is_empty() || name.chars().count() > MAX_APP_NAME {
        return Err(ApiError::invalid_value(
            "ApplicationName",
            &format!("it must be 1 to {MAX_APP_NAME} characters"),
        ));
    }
    let now = Instant::now();
    let duration = shared.timings().application_create;
    // Lock order: instances, then the inference store.
    let mut store = shared.store();
    let inst = store.get(id, now).ok_or_else(|| {
        ApiError::new(
            "InvalidParameterValue.InstanceIdNotFound",
            format!("The instance `{id}` does not exist."),
        )
    })?;
    let t = Transition {
        action: "CreateApplication",
        check: create_check,
        during: None,
        target: inst.instance_state,
        duration,
    };
    store.check(&[id], &t, now, false)?;
    let mut inf = shared.inference_at(now);
    if inf.apps.iter().any(|r| r.app.application_name == name) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidApplicationNameDuplicate",
            format!("An application named `{name}` already exists."),
        ));
    }
    store.apply(&[id], &t, now);
    let app_id = new_id("app", |x| {
        APPS.iter().any(|a| a.id == x) || inf.apps.iter().any(|r| r.app.application_id == x)
    });
    let source = APPS.iter().find(|a| a.name == inst.application_name);
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut app = Application::new(app_id.clone(), name);
    app.application_state = ApplicationState::Creating;
    app.description = req.application_description.clone().unwrap_or_default();
    if let Some(s) = source {
        app.config_environment = s.environment.to_owned();
        app.scene_id = Some(s.scene.to_owned());
    }
    app.min_system_disk_size = inst.system_disk_size;
    app.application_size = (inst.system_disk_size / 2).max(1);
    app.source_instance_id = Some(id.to_owned());
    app.create_time = format_time(unix);
    inf.apps.push(AppRecord {
        app,
        ready_at: Some(after(now, duration)),
    });
    inf.settle(now);
    let mut resp = CreateApplicationResponse::default();
    resp.application_id = Some(app_id);
    encode(&resp)
}
