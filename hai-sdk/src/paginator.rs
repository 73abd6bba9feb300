//! Paginators: the runtime's page loop ([`hai_runtime::paginator`]), and the aliases of HAI's
//! listing that predate the per-action ones.
//!
//! Every paging action has a `client.<action>_paginator(request)` method, generated from the
//! spec: `describe_instances_paginator`, `describe_applications_paginator`,
//! `describe_models_paginator`, `describe_musk_prompts_paginator`,
//! `describe_services_paginator` and `describe_services_call_info_paginator`.

pub use hai_runtime::paginator::*;

#[doc(no_inline)]
pub use crate::describe_instances::{DescribeInstancesItems, DescribeInstancesPaginator};
