//! The delivery log's rows and its SQLite store, under their first name: see
//! [`delivery`](super::delivery) for the [`DeliveryStore`](super::delivery::DeliveryStore)
//! trait and its stores.

pub use super::delivery::sqlite::DeliveryLog;
pub use super::delivery::{
    Channel, NewSend, OccurrenceRow, OccurrenceStatus, SendOutcome, SendRow, SendStatus, timestamp,
};
