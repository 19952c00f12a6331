//! Raw RGB buffer → palette-indexed PNG bytes.

use std::io::Write;
use std::ops::Range;

use crate::ChartError;

/// An 8-bit palette holds at most this many colours.
const MAX_COLOURS: usize = 256;

/// Encodes an RGB buffer as an 8-bit palette PNG.
///
/// Charts are a handful of flat colours plus anti-aliased edges, so a palette
/// cuts the data deflate sees to a third: smaller files, faster encoding.
/// Up to 256 colours this is lossless. Beyond that (anti-aliased text over
/// bands), the rarest colours are snapped to their nearest kept colour, which
/// moves a few hundred edge pixels by a shade and nothing else.
pub(crate) fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let row_bytes = width as usize * 3;
    let indexer = Indexer::new(rgb, row_bytes);
    let fast = write_png(
        &indexer,
        width,
        height,
        png::DeflateCompression::FdeflateUltraFast,
    )?;
    // Busy images (thousands of scatter dots) come out large from the
    // run-length-only fast encoder; real deflate finds their repeats and
    // saves about a quarter for a few milliseconds. Past twice the budget
    // (tens of thousands of dots) it cannot get near it, so time wins.
    if (SOFT_BUDGET..2 * SOFT_BUDGET).contains(&fast.len()) {
        let thorough = write_png(&indexer, width, height, png::DeflateCompression::Level(2))?;
        if thorough.len() < fast.len() {
            return Ok(thorough);
        }
    }
    Ok(fast)
}

/// PNG size above which a slower, tighter compression is worth trying.
const SOFT_BUDGET: usize = 64 * 1024;

fn write_png(
    indexer: &Indexer,
    width: u32,
    height: u32,
    compression: png::DeflateCompression,
) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(indexer.palette());
    // Palette indices are not ordinal, so prediction filters only add work;
    // Sub (or Up for repeated rows, chosen per row below) turns runs into zeros.
    encoder.set_filter(png::Filter::Sub);
    encoder.set_deflate_compression(compression);
    let mut writer = encoder.write_header().map_err(encode_err)?;
    {
        // Row by row, so the indexed image never exists as a second full buffer.
        let mut stream = writer.stream_writer().map_err(encode_err)?;
        let mut row = vec![0u8; width as usize];
        for y in 0..indexer.rows.len() {
            // A row equal to the one above filters to all zeros with Up,
            // which deflate's run-length matching then all but erases;
            // bars and boxes are mostly such rows.
            stream.set_filter(if indexer.repeats_previous(y) {
                png::Filter::Up
            } else {
                png::Filter::Sub
            });
            indexer.index_row(y, &mut row);
            stream
                .write_all(&row)
                .map_err(|e| ChartError::Encode(e.to_string()))?;
        }
        stream.finish().map_err(encode_err)?;
    }
    writer.finish().map_err(encode_err)?;
    Ok(out)
}

fn encode_err(err: png::EncodingError) -> ChartError {
    ChartError::Encode(err.to_string())
}

fn pack(px: &[u8]) -> u32 {
    u32::from(px[0]) << 16 | u32::from(px[1]) << 8 | u32::from(px[2])
}

/// Maps every colour of one image to a palette index.
///
/// The image is read once, as runs of equal pixels per row; charts are mostly
/// long runs (background, bands, grid), so this is a few runs per row and
/// writing the indexed rows is just filling slices.
///
/// Palette order is by pixel count, ties broken by colour value, so the output
/// depends only on the pixels and stays byte-for-byte deterministic.
struct Indexer {
    /// Palette colours, most used first.
    kept: Vec<u32>,
    /// Palette index per provisional (first-seen) colour id.
    remap: Vec<u8>,
    /// (colour id, length) runs of all distinct rows, left to right.
    runs: Vec<(u16, usize)>,
    /// Each row's slice of `runs`; a row equal to the one above shares its slice.
    rows: Vec<Range<usize>>,
}

impl Indexer {
    fn new(rgb: &[u8], row_bytes: usize) -> Self {
        let mut table = ColourTable::new();
        let mut runs: Vec<(u16, usize)> = Vec::with_capacity(16 * 1024);
        let mut rows: Vec<Range<usize>> = Vec::with_capacity(rgb.len() / row_bytes.max(1));
        let mut previous: &[u8] = &[];
        for row in rgb.chunks(row_bytes.max(3)) {
            // Blank margins repeat whole rows; a memcmp is far cheaper than a rescan.
            if let Some(last) = rows.last().filter(|_| row == previous) {
                rows.push(last.clone());
                continue;
            }
            let start = runs.len();
            scan_runs(row, |colour, len| runs.push((table.insert(colour), len)));
            rows.push(start..runs.len());
            previous = row;
        }

        let colours = &table.colours;
        let mut counts = vec![0usize; colours.len()];
        for row in &rows {
            for &(id, len) in runs.get(row.clone()).unwrap_or_default() {
                if let Some(count) = counts.get_mut(usize::from(id)) {
                    *count += len;
                }
            }
        }
        let mut ranked: Vec<usize> = (0..colours.len()).collect();
        ranked
            .sort_unstable_by(|&a, &b| counts[b].cmp(&counts[a]).then(colours[a].cmp(&colours[b])));
        let kept: Vec<u32> = ranked
            .iter()
            .take(MAX_COLOURS)
            .map(|&id| colours[id])
            .collect();
        let mut remap = vec![0u8; colours.len()];
        for (rank, &id) in ranked.iter().enumerate() {
            remap[id] = match u8::try_from(rank) {
                Ok(r) => r,
                Err(_) => nearest(&kept, colours[id]),
            };
        }
        Self {
            kept,
            remap,
            runs,
            rows,
        }
    }

    /// Whether row `y` is identical to row `y - 1`.
    fn repeats_previous(&self, y: usize) -> bool {
        y > 0 && self.rows.get(y) == self.rows.get(y - 1)
    }

    /// PLTE chunk bytes.
    fn palette(&self) -> Vec<u8> {
        self.kept
            .iter()
            .flat_map(|c| [(c >> 16) as u8, (c >> 8) as u8, *c as u8])
            .collect()
    }

    /// Writes row `y`'s palette indices into `out` (one byte per pixel).
    fn index_row(&self, y: usize, out: &mut [u8]) {
        let runs = self
            .rows
            .get(y)
            .and_then(|r| self.runs.get(r.clone()))
            .unwrap_or_default();
        let mut pos = 0;
        for &(id, len) in runs {
            let index = self.remap.get(usize::from(id)).copied().unwrap_or(0);
            if let Some(dst) = out.get_mut(pos..pos + len) {
                dst.fill(index);
            }
            pos += len;
        }
    }
}

/// Calls `emit(colour, length)` for each run of equal pixels in `row`.
///
/// Runs in charts are long, so once a run starts we compare eight pixels at a
/// time against the run colour repeated (a vectorised compare), and only
/// finish the run pixel by pixel.
fn scan_runs(row: &[u8], mut emit: impl FnMut(u32, usize)) {
    const STRIDE: usize = 8 * 3;
    let mut i = 0;
    while let Some(px) = row.get(i..i + 3) {
        let colour = pack(px);
        let repeated: [u8; STRIDE] = std::array::from_fn(|k| px[k % 3]);
        let mut j = i + 3;
        while row.get(j..j + STRIDE) == Some(&repeated[..]) {
            j += STRIDE;
        }
        while row.get(j..j + 3).is_some_and(|p| pack(p) == colour) {
            j += 3;
        }
        emit(colour, (j - i) / 3);
        i = j;
    }
}

/// A small open-addressing map from colour to a first-seen id.
///
/// std's SipHash map cost more than the whole deflate step here; the key is a
/// trusted 24-bit colour, so a multiplicative hash is plenty.
struct ColourTable {
    slots: Vec<(u32, u16)>,
    occupied: usize,
    colours: Vec<u32>,
}

/// Not a valid packed colour (those fit in 24 bits).
const EMPTY: u32 = u32::MAX;

impl ColourTable {
    fn new() -> Self {
        Self {
            slots: vec![(EMPTY, 0); 1 << 12],
            occupied: 0,
            colours: Vec::with_capacity(1024),
        }
    }

    fn slot(slots: &[(u32, u16)], c: u32) -> usize {
        let mask = slots.len() - 1;
        let mut i = (c.wrapping_mul(0x9E37_79B1) >> 7) as usize & mask;
        while slots[i].0 != EMPTY && slots[i].0 != c {
            i = (i + 1) & mask;
        }
        i
    }

    fn insert(&mut self, c: u32) -> u16 {
        let i = Self::slot(&self.slots, c);
        if self.slots[i].0 == c {
            return self.slots[i].1;
        }
        // Past 65 535 colours (never for a chart) new colours share the last
        // id: a wrong shade on a pathological image beats a panic.
        let id = match u16::try_from(self.colours.len()) {
            Ok(id) if id < u16::MAX => {
                self.colours.push(c);
                id
            }
            _ => u16::MAX - 1,
        };
        self.slots[i] = (c, id);
        self.occupied += 1;
        // Under half full keeps probe chains short.
        if self.occupied * 2 >= self.slots.len() {
            let bigger = vec![(EMPTY, 0); self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, bigger);
            for entry in old.into_iter().filter(|s| s.0 != EMPTY) {
                let j = Self::slot(&self.slots, entry.0);
                self.slots[j] = entry;
            }
        }
        id
    }
}

/// Index of the closest colour in `kept` (squared RGB distance, first wins ties).
fn nearest(kept: &[u32], c: u32) -> u8 {
    let channels = |v: u32| [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    let dist = |k: u32| -> u32 {
        channels(k)
            .iter()
            .zip(channels(c))
            .map(|(a, b)| a.abs_diff(b).pow(2))
            .sum()
    };
    let best = kept
        .iter()
        .enumerate()
        .min_by_key(|(i, k)| (dist(**k), *i))
        .map_or(0, |(i, _)| i);
    u8::try_from(best).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole image as (PLTE bytes, indices), for inspection.
    fn index_colours(rgb: &[u8]) -> (Vec<u8>, Vec<u8>) {
        // Two-pixel rows exercise both the run scan and the repeated-row path.
        let indexer = Indexer::new(rgb, 6);
        let mut indices = vec![0; rgb.len() / 3];
        for (y, row) in indices.chunks_mut(2).enumerate() {
            indexer.index_row(y, row);
        }
        (indexer.palette(), indices)
    }

    #[test]
    fn runs_cover_the_row_exactly() {
        let mut row = vec![1u8; 3 * 21];
        row.extend_from_slice(&[2, 2, 2, 1, 1, 1]);
        row.extend(std::iter::repeat_n(3u8, 3 * 9));
        let mut runs = Vec::new();
        scan_runs(&row, |c, n| runs.push((c, n)));
        assert_eq!(
            runs,
            [(0x010101, 21), (0x020202, 1), (0x010101, 1), (0x030303, 9)]
        );
        // A trailing partial pixel is ignored rather than read past.
        let mut runs = Vec::new();
        scan_runs(&[5, 5, 5, 5], |c, n| runs.push((c, n)));
        assert_eq!(runs, [(0x050505, 1)]);
    }

    #[test]
    fn palette_is_ordered_by_frequency() {
        let rgb = [9, 9, 9, 1, 2, 3, 9, 9, 9, 9, 9, 9];
        let (palette, indices) = index_colours(&rgb);
        assert_eq!(palette, [9, 9, 9, 1, 2, 3]);
        assert_eq!(indices, [0, 1, 0, 0]);
    }

    #[test]
    fn up_to_256_colours_are_kept_exactly() {
        let rgb: Vec<u8> = (0..256u32)
            .flat_map(|i| [i as u8, 7, (255 - i) as u8])
            .collect();
        let (palette, indices) = index_colours(&rgb);
        assert_eq!(palette.len(), 256 * 3);
        for (px, i) in rgb.chunks_exact(3).zip(indices) {
            let i = usize::from(i) * 3;
            assert_eq!(px, &palette[i..i + 3]);
        }
    }

    #[test]
    fn rare_colours_beyond_256_snap_to_the_nearest_kept_one() {
        // 256 common greys (each twice) plus one rare near-white.
        let mut rgb: Vec<u8> = (0..256u32).flat_map(|i| [i as u8; 6]).collect();
        rgb.extend_from_slice(&[254, 255, 255]);
        let (palette, indices) = index_colours(&rgb);
        assert_eq!(palette.len(), 256 * 3);
        let last = usize::from(indices[indices.len() - 1]) * 3;
        assert_eq!(&palette[last..last + 3], &[255, 255, 255]);
    }

    #[test]
    fn more_colours_than_ids_do_not_panic() {
        let rgb: Vec<u8> = (0..20_000u32)
            .flat_map(|i| [(i >> 16) as u8, (i >> 8) as u8, i as u8])
            .collect();
        let (palette, indices) = index_colours(&rgb);
        assert_eq!(palette.len(), 256 * 3);
        assert_eq!(indices.len(), 20_000);
    }
}
