//! Bounds on what outside APIs (GitHub, Jira, Slack) can make us do.
//!
//! - **Paging**: a page limit, a cursor the API already gave, and an empty
//!   page that says there is more each end the loop with a clear error.
//! - **Response sizes**: bodies are read up to a cap, not whole.
//!
//! A broken or hostile API then costs one failed job, never a worker for
//! ever or the process's memory.

use std::collections::HashSet;

/// Why a paging loop stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    /// More pages than anything real has.
    #[error("{what}: more than {max} pages; stopped")]
    TooMany {
        /// What was being listed.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// The API handed out a cursor it had given before.
    #[error("{what}: the API repeated a page cursor; stopped")]
    Repeated {
        /// What was being listed.
        what: &'static str,
    },
    /// An empty page said more would follow.
    #[error("{what}: an empty page said more would follow; stopped")]
    EmptyWithMore {
        /// What was being listed.
        what: &'static str,
    },
}

/// Tracks one paging loop.
#[derive(Debug)]
pub struct Pages {
    what: &'static str,
    max: usize,
    read: usize,
    cursors: HashSet<String>,
}

impl Pages {
    /// A loop over `what` of at most `max` pages.
    pub fn new(what: &'static str, max: usize) -> Self {
        Self {
            what,
            max,
            read: 0,
            cursors: HashSet::new(),
        }
    }

    /// Called after each page with how many items it held and the cursor
    /// (or offset, or URL) of the next page, `None` at the end. `Ok(true)`:
    /// fetch the next page; `Ok(false)`: done.
    pub fn follow(&mut self, items: usize, next: Option<&str>) -> Result<bool, PagingError> {
        self.read += 1;
        metrics::counter!(crate::telemetry::series::API_PAGES, "list" => self.what).increment(1);
        let Some(next) = next else {
            return Ok(false);
        };
        if items == 0 {
            return Err(PagingError::EmptyWithMore { what: self.what });
        }
        if self.read >= self.max {
            return Err(PagingError::TooMany {
                what: self.what,
                max: self.max,
            });
        }
        if !self.cursors.insert(next.to_string()) {
            return Err(PagingError::Repeated { what: self.what });
        }
        Ok(true)
    }
}

/// The largest response body read from an outside API.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A response body over [`MAX_BODY_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the response was larger than {max} bytes; not read")]
pub struct TooLarge {
    /// The cap.
    pub max: usize,
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Over the cap.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// The connection failed while reading.
    #[error("{0}")]
    Transport(String),
}

/// Reads a reqwest response body of at most `max` bytes (checked against
/// `Content-Length` first, then as chunks arrive).
pub async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(TooLarge { max }.into());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ReadError::Transport(e.without_url().to_string()))?
    {
        if body.len() + chunk.len() > max {
            return Err(TooLarge { max }.into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_honest_api_is_followed_to_its_end() {
        let mut pages = Pages::new("the things", 10);
        assert_eq!(pages.follow(50, Some("a")), Ok(true));
        assert_eq!(pages.follow(50, Some("b")), Ok(true));
        assert_eq!(pages.follow(3, None), Ok(false));
        // An empty last page is fine.
        assert_eq!(Pages::new("x", 10).follow(0, None), Ok(false));
    }

    #[test]
    fn loops_repeats_and_empty_pages_with_more_stop() {
        let mut pages = Pages::new("the things", 10);
        assert_eq!(pages.follow(50, Some("a")), Ok(true));
        assert_eq!(
            pages.follow(50, Some("a")),
            Err(PagingError::Repeated { what: "the things" })
        );
        assert_eq!(
            Pages::new("the things", 10).follow(0, Some("b")),
            Err(PagingError::EmptyWithMore { what: "the things" })
        );
        let mut pages = Pages::new("the things", 3);
        assert_eq!(pages.follow(1, Some("1")), Ok(true));
        assert_eq!(pages.follow(1, Some("2")), Ok(true));
        assert_eq!(
            pages.follow(1, Some("3")),
            Err(PagingError::TooMany {
                what: "the things",
                max: 3
            })
        );
    }
}
