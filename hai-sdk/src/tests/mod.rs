mod paginator;
mod waiters;
