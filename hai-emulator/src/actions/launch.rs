//! RunInstances and InquirePriceRunInstances: the shared launch checks, new instances, prices.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use hai_sdk::inquire_price_run_instances::{
    InquirePriceRunInstancesRequest, InquirePriceRunInstancesResponse,
};
use hai_sdk::run_instances::{RunInstancesRequest, RunInstancesResponse};
use hai_sdk::types::{self, ChargeType as WireChargeType};

use super::catalog::{is_app_id, App, APPS, BUNDLES};
use super::{decode, encode, new_id};
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::{ApplicationState, Instance};

/// Largest `InstanceCount` one RunInstances call takes.
pub(crate) const MAX_INSTANCE_COUNT: u64 = 20;
/// Longest `InstanceName`, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 60;
/// Largest system disk, in GB.
pub(crate) const MAX_DISK_GB: i64 = 1000;

/// The application a launch uses: public (the catalogue) or custom (`ONLINE` only).
struct LaunchApp {
    id: String,
    name: String,
    min_disk: i64,
}

/// What a launch request asks for, after the checks both actions share.
struct Launch {
    app: LaunchApp,
    bundle: (&'static str, f64, f64),
    count: u64,
    disk: i64,
}

#[allow(clippy::too_many_arguments)]
fn check_launch(
    shared: &Shared,
    application_id: &str,
    bundle_type: &str,
    system_disk: Option<&types::SystemDisk>,
    instance_count: Option<u64>,
    instance_name: Option<&str>,
    client_token: Option<&str>,
    disk_too_small: &str,
) -> Result<Launch, ApiError> {
    if !is_app_id(application_id) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidApplicationIdMalformed",
            format!("The application ID `{application_id}` is malformed."),
        ));
    }
    let public = APPS
        .iter()
        .find(|a| a.id == application_id)
        .map(|a: &App| LaunchApp {
            id: a.id.to_owned(),
            name: a.name.to_owned(),
            min_disk: a.min_disk,
        });
    let custom = || {
        shared
            .inference_at(Instant::now())
            .apps
            .iter()
            .find(|r| {
                r.app.application_id == application_id
                    && r.app.application_state == ApplicationState::Online
            })
            .map(|r| LaunchApp {
                id: r.app.application_id.clone(),
                name: r.app.application_name.clone(),
                min_disk: r.app.min_system_disk_size,
            })
    };
    let app = public.or_else(custom).ok_or_else(|| {
        ApiError::new(
            "InvalidParameterValue.ApplicationIdNotFound",
            format!("The application `{application_id}` does not exist (or is not ONLINE yet)."),
        )
    })?;
    let bundle = *BUNDLES.iter().find(|b| b.0 == bundle_type).ok_or_else(|| {
        ApiError::new(
            "InvalidParameterValue.BundleTypeNotFound",
            format!("The bundle type `{bundle_type}` does not exist."),
        )
    })?;
    let count = instance_count.unwrap_or(1);
    if !(1..=MAX_INSTANCE_COUNT).contains(&count) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidInstanceCount",
            format!("InstanceCount must be between 1 and {MAX_INSTANCE_COUNT}, got {count}."),
        ));
    }
    if let Some(name) = instance_name {
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::new(
                "InvalidParameterValue.InstanceNameTooLong",
                format!("InstanceName is longer than {MAX_NAME_CHARS} characters."),
            ));
        }
    }
    if let Some(token) = client_token {
        if token.is_empty() || token.len() > 64 || !token.is_ascii() {
            return Err(ApiError::invalid_value(
                "ClientToken",
                "it must be 1 to 64 ASCII characters",
            ));
        }
    }
    let disk = system_disk
        .and_then(|d| d.disk_size)
        .unwrap_or(app.min_disk);
    if disk < app.min_disk {
        return Err(ApiError::new(
            disk_too_small,
            format!(
                "The system disk ({disk} GB) is smaller than the {} GB application `{}` needs.",
                app.min_disk, app.id
            ),
        ));
    }
    if disk > MAX_DISK_GB {
        return Err(ApiError::invalid_value(
            "SystemDisk.DiskSize",
            &format!("at most {MAX_DISK_GB} GB"),
        ));
    }
    Ok(Launch {
        app,
        bundle,
        count,
        disk,
    })
}

/// `YYYY-MM-DD hh:mm:ss` (UTC) for a Unix time.
pub(crate) fn format_time(unix: u64) -> String {
    let (year, month, day) = hai_sdk::signer::civil_date(unix);
    let secs = unix % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// RunInstances: new postpaid instances, `PENDING` for `Timings::run`, then `RUNNING` (or the
/// state set with `EmulatorHandle::set_launch_result`). A repeated `ClientToken` returns the
/// instance ids of the first call and launches nothing.
pub(crate) fn run_instances(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: RunInstancesRequest = decode(params)?;
    let launch = check_launch(
        shared,
        &req.application_id,
        &req.bundle_type,
        req.system_disk.as_ref(),
        req.instance_count,
        req.instance_name.as_deref(),
        req.client_token.as_deref(),
        "InvalidParameterValue.DiskSizeMustLargerThanApplicationMinRequiredSize",
    )?;
    if req.dry_run.unwrap_or(false) {
        return Err(ApiError::new(
            "DryRunOperation",
            "The request would have succeeded, but the DryRun parameter was used.",
        ));
    }
    // Hold the token map across the launch so two calls with one token launch once.
    let mut tokens = shared.client_tokens();
    if let Some(ids) = req.client_token.as_ref().and_then(|t| tokens.get(t)) {
        let mut resp = RunInstancesResponse::default();
        resp.instance_id_set = Some(ids.clone());
        return encode(&resp);
    }
    let now = Instant::now();
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let duration = shared.timings().run;
    let target = shared.launch_result();
    let mut store = shared.store();
    let mut ids = Vec::new();
    for n in 0..launch.count {
        let id = new_id("hai", |id| store.contains(id));
        let host = u8::try_from(store.len() % 250).unwrap_or(0) + 2;
        let name = match (&req.instance_name, launch.count) {
            (Some(name), 1) => name.clone(),
            (Some(name), _) => format!("{name}-{}", n + 1),
            (None, _) => format!("{}-{}", launch.app.name, &id[4..]),
        };
        let mut inst = Instance::new(id.clone(), crate::state::InstanceState::Pending)
            .with_name(name)
            .with_addresses(
                &format!("43.135.{}.{host}", store.len() / 250 % 250),
                &format!("10.1.{}.{host}", store.len() / 250 % 250),
            );
        inst.application_name = launch.app.name.clone();
        inst.bundle_name = launch.bundle.0.to_owned();
        inst.system_disk_size = launch.disk;
        inst.create_time = format_time(unix);
        store.launch(inst, target, now, duration);
        ids.push(id);
    }
    if let Some(token) = req.client_token {
        tokens.insert(token, ids.clone());
    }
    let mut resp = RunInstancesResponse::default();
    resp.instance_id_set = Some(ids);
    encode(&resp)
}

fn item_price(unit: f64, discount: f64, charge_unit: &str, amount: u64) -> types::ItemPrice {
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let mut p = types::ItemPrice::default();
    p.unit_price = Some(unit);
    p.discount_unit_price = Some(round(unit * discount));
    p.discount = Some(discount);
    p.charge_unit = Some(charge_unit.to_owned());
    p.amount = Some(amount);
    p.origin_price = Some(round(unit * amount as f64));
    p.discount_price = Some(round(unit * discount * amount as f64));
    p
}

/// InquirePriceRunInstances: the launch checks of RunInstances, then a price from the bundle
/// table (hourly for `POSTPAID_BY_HOUR`, monthly for `PREPAID_BY_MONTH`, which needs
/// `InstanceChargePrepaid.Period` 1 to 36 and `TimeUnit` `MONTH`). Disk beyond the
/// application's minimum is charged per GB.
pub(crate) fn inquire_price_run_instances(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: InquirePriceRunInstancesRequest = decode(params)?;
    let launch = check_launch(
        shared,
        &req.application_id,
        &req.bundle_type,
        req.system_disk.as_ref(),
        req.instance_count,
        req.instance_name.as_deref(),
        req.client_token.as_deref(),
        "InvalidParameterValue",
    )?;
    let charge = req
        .instance_charge_type
        .clone()
        .unwrap_or(WireChargeType::PostpaidByHour);
    let (unit_price, disk_unit, charge_unit, amount) = match &charge {
        WireChargeType::PostpaidByHour => {
            if req.instance_charge_prepaid.is_some() {
                return Err(ApiError::new(
                    "InvalidParameterValue.InvalidChargeTypeAndTimeUnit",
                    "InstanceChargePrepaid is only for PREPAID_BY_MONTH.",
                ));
            }
            (launch.bundle.1, 0.0008, "HOUR", 1)
        }
        WireChargeType::PrepaidByMonth => {
            let prepaid = req.instance_charge_prepaid.as_ref();
            let period = prepaid.and_then(|p| p.period).unwrap_or(1);
            let unit = prepaid
                .and_then(|p| p.time_unit.as_deref())
                .unwrap_or("MONTH");
            if unit != "MONTH" || !(1..=36).contains(&period) {
                return Err(ApiError::new(
                    "InvalidParameterValue.InvalidChargeTypeAndTimeUnit",
                    "PREPAID_BY_MONTH takes TimeUnit MONTH and a Period of 1 to 36.",
                ));
            }
            (launch.bundle.2, 0.5, "MONTH", period)
        }
        other => {
            return Err(ApiError::new(
                "InvalidParameterValue.InvalidChargeType",
                format!("The charge type `{other}` is not supported."),
            ))
        }
    };
    let extra_disk = u64::try_from(launch.disk - launch.app.min_disk).unwrap_or(0);
    let mut price = types::Price::default();
    price.instance_price = Some(item_price(
        unit_price,
        1.0,
        charge_unit,
        amount * launch.count,
    ));
    price.cloud_disk_price = Some(item_price(
        disk_unit * extra_disk as f64,
        1.0,
        charge_unit,
        amount * launch.count,
    ));
    let mut resp = InquirePriceRunInstancesResponse::default();
    resp.price = Some(price);
    encode(&resp)
}
