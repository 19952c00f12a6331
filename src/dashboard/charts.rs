//! Chart delivery: render once per content hash, then either serve the PNG
//! from this app at an unguessable URL (`AIMPACT_PUBLIC_URL` set) or upload
//! it to Slack with files upload v2 and reference it as a `slack_file`
//! (Socket Mode behind a firewall). Either way the same chart is rendered
//! and uploaded once per org.

use blocks::kit::Image;
use rand::RngCore;

use crate::domain::OrgId;
use crate::slack_api::OrgSlack;
use crate::store::{Db, StoreError, charts as store};

/// Where chart images go.
pub enum Delivery<'a> {
    /// Served by this app under `{base}charts/{org}/{token}.png`.
    Public(url::Url),
    /// Uploaded to Slack with this bot client (which must also post).
    Upload(&'a OrgSlack),
}

/// Why a chart could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rendering.
    #[error("chart rendering failed: {0}")]
    Render(String),
    /// Slack upload.
    #[error("chart upload failed: {0}")]
    Upload(String),
}

/// The public path of a stored chart, relative to the app's base URL.
pub fn public_path(org: OrgId, token: &str) -> String {
    format!("charts/{}/{token}.png", org.get())
}

/// Renders (or finds) every chart and returns image blocks in the same order.
/// Rendering runs on the blocking pool, all charts at once.
pub async fn deliver_all(
    db: &Db,
    org: OrgId,
    delivery: &Delivery<'_>,
    specs: Vec<charts::Chart>,
) -> Result<Vec<Image>, ChartError> {
    // Look up what exists first so only new charts are rendered.
    let mut stored = Vec::with_capacity(specs.len());
    {
        let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
        for spec in &specs {
            let hash = spec.cache_key();
            let found = store::find(&mut conn, org, &hash).await?;
            stored.push((hash, found));
        }
    }
    let renders = specs.iter().zip(&stored).map(|(spec, (_, found))| {
        let spec = spec.clone();
        let needed = found.is_none();
        async move {
            if !needed {
                return Ok(None);
            }
            tokio::task::spawn_blocking(move || charts::render(&spec))
                .await
                .map_err(|e| ChartError::Render(e.to_string()))?
                .map(Some)
                .map_err(|e| ChartError::Render(e.to_string()))
        }
    });
    let pngs = futures::future::try_join_all(renders).await?;
    let mut images = Vec::with_capacity(specs.len());
    for ((spec, (hash, found)), png) in specs.iter().zip(stored).zip(pngs) {
        let chart = match (found, &png) {
            (Some(found), _) => found,
            (None, Some(png)) => {
                let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
                store::insert(&mut conn, org, &hash, &new_token(), png).await?
            }
            (None, None) => {
                return Err(ChartError::Render(
                    "chart was neither stored nor rendered".into(),
                ));
            }
        };
        let image = match delivery {
            Delivery::Public(base) => {
                let url = base
                    .join(&public_path(org, &chart.token))
                    .map_err(|e| ChartError::Render(e.to_string()))?;
                Image::from_url(url.to_string(), &spec.alt_text())
            }
            Delivery::Upload(slack) => {
                let id = match chart.slack_file_id {
                    Some(id) => id,
                    None => {
                        let png = match png {
                            Some(png) => png,
                            None => {
                                let mut conn =
                                    db.pool().acquire().await.map_err(StoreError::from)?;
                                store::png_by_token(&mut conn, org, &chart.token)
                                    .await?
                                    .unwrap_or_default()
                            }
                        };
                        upload(db, org, slack, spec, &hash, &png).await?
                    }
                };
                Image::from_slack_file(id, &spec.alt_text())
            }
        };
        images.push(image.with_title(spec.title()));
    }
    Ok(images)
}

async fn upload(
    db: &Db,
    org: OrgId,
    slack: &OrgSlack,
    spec: &charts::Chart,
    hash: &str,
    png: &[u8],
) -> Result<String, ChartError> {
    let name = format!("aimpact-{}.png", &hash[..hash.len().min(16)]);
    let id = slack
        .upload_png(&name, spec.title(), &spec.alt_text(), png)
        .await
        .map_err(|e| ChartError::Upload(e.to_string()))?;
    let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
    store::set_slack_file(&mut conn, org, hash, &id).await?;
    Ok(id)
}

/// 128 random bits, hex.
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
