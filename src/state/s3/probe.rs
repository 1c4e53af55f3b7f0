//! The conditional-write probe, remembered in the bucket: once a store has refused a second
//! `If-None-Match: *` create and a write over a stale ETag, `PREFIX/.dingform-probe/verified-
//! ENDPOINT.json` records it, with the probe's version, so that later runs (and the delivery
//! log beside the state) make one GET instead of four writes.
//!
//! The marker is keyed by the endpoint (a digest of `AWS_ENDPOINT_URL`), so a marker written
//! through one endpoint says nothing about another in front of the same bucket (a proxy that
//! drops the conditional headers). It is written with a conditional write itself, and only
//! after the probe passed: behind a store that ignores conditions the probe fails first and
//! no marker is written. A marker of an older probe version, or one that does not read, is
//! probed again and replaced.

use chrono::{DateTime, Utc};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, UpdateVersion};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::connect::{ProbeError, S3Target};

/// The version of the probe this build runs: raise it when the probe checks more, so that
/// buckets verified by an older build are probed again.
pub const PROBE_VERSION: u32 = 1;

/// What the marker records.
#[derive(Debug, Serialize, Deserialize)]
struct Verified {
    /// [`PROBE_VERSION`] of the build that probed.
    probe_version: u32,
    /// When the probe passed.
    verified_at: DateTime<Utc>,
    /// The dingform version that probed.
    by: String,
}

impl S3Target {
    /// Check, once per bucket, prefix and endpoint, that the store honours conditional writes
    /// (see the [module](self)): one GET when a marker of this probe version is there, else
    /// the four requests of the probe and one to write the marker. A store that ignores
    /// `If-None-Match` / `If-Match` is refused with what it accepted.
    pub async fn check_conditional_writes(
        &self,
        store: &dyn ObjectStore,
    ) -> Result<(), ProbeError> {
        let marker = self.probe_marker();
        let found = match store.get(&marker).await {
            Ok(got) => {
                let e_tag = got.meta.e_tag.clone();
                let bytes = got
                    .bytes()
                    .await
                    .map_err(|error| ProbeError::Store(self.explain(&error)))?;
                match serde_json::from_slice::<Verified>(&bytes) {
                    Ok(verified) if verified.probe_version == PROBE_VERSION => return Ok(()),
                    // An older probe's, or unreadable: probe again and replace it.
                    _ => Some(e_tag),
                }
            }
            Err(object_store::Error::NotFound { .. }) => None,
            Err(error) => return Err(ProbeError::Store(self.explain(&error))),
        };
        self.probe_conditional_writes(store).await?;
        let verified = Verified {
            probe_version: PROBE_VERSION,
            verified_at: Utc::now(),
            by: format!("dingform {}", env!("CARGO_PKG_VERSION")),
        };
        let body = serde_json::to_vec_pretty(&verified).expect("the marker serializes");
        let mode = match found {
            None => PutMode::Create,
            Some(e_tag) => PutMode::Update(UpdateVersion {
                e_tag,
                version: None,
            }),
        };
        match store.put_opts(&marker, body.into(), mode.into()).await {
            // Another run probed and wrote it at the same moment: as good.
            Ok(_)
            | Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Ok(()),
            Err(error) => Err(ProbeError::Store(self.explain(&error))),
        }
    }

    /// Where the marker of this target's endpoint lives.
    pub fn probe_marker(&self) -> Path {
        let digest = hex::encode(Sha256::digest(self.endpoint().as_bytes()));
        self.path(
            ".dingform-probe",
            &format!("verified-{}.json", &digest[..16]),
        )
    }
}
