//! Cookbook: find instances with the DescribeInstances paginator and a filter.
//!
//! ```sh
//! cargo run --example find_instances                 # every instance
//! cargo run --example find_instances -- RUNNING      # only running ones (instance-state filter)
//! cargo run --example find_instances -- running      # the same: the state is taken in any case
//! ```
//!
//! Without credentials it runs against an in-process emulator (see `common/mod.rs`).

mod common;

use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Parser;
use futures_util::StreamExt;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::types::{Filter, InstanceState};

/// Lists HAI instances with the DescribeInstances paginator, optionally only those in one state.
#[derive(Parser)]
#[command(after_help = common::AFTER_HELP)]
struct Args {
    /// Only instances in this state (in any case: `running` is RUNNING)
    #[arg(value_name = "STATE", ignore_case = true, value_parser = state_parser())]
    state: Option<InstanceState>,
}

/// The states the SDK knows (the spec's enum), matched in any case, as their wire form.
fn state_parser() -> impl TypedValueParser<Value = InstanceState> {
    PossibleValuesParser::new(InstanceState::VALUES)
        .map(|s| InstanceState::from_wire(&s.to_ascii_uppercase()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let state = Args::parse().state;
    let setup = match common::setup().await {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };

    let mut request = DescribeInstancesRequest::new();
    if let Some(state) = &state {
        request = request.filters([Filter::new("instance-state", [state.to_string()])]);
    }
    // Pages of 20 (the service's default); `.page_size(100)` asks for the maximum.
    let mut instances = setup.client.describe_instances_paginator(request).items();
    let mut count = 0;
    while let Some(instance) = instances.next().await {
        let instance = match instance {
            Ok(i) => i,
            Err(e) => return common::fail(e),
        };
        count += 1;
        println!(
            "{:<14} {:<18} {:<20} {}",
            instance.instance_id.unwrap_or_default(),
            instance
                .instance_state
                .map(|s| s.to_string())
                .unwrap_or_default(),
            instance.instance_name.unwrap_or_default(),
            instance
                .public_ip_addresses
                .unwrap_or_default()
                .first()
                .map_or("-", String::as_str),
        );
    }
    match state {
        Some(s) => println!("{count} instance(s) in state {s}"),
        None => println!("{count} instance(s)"),
    }
    ExitCode::SUCCESS
}
