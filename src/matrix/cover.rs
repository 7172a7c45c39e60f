//! A region of requests in few words: boxes of candidates (one set per dimension)
//! that cover every box of the region (`on`) and meet no box outside it (`off`);
//! boxes in neither (invalid requests) are free to be covered or not. Each box of the
//! region is grown one candidate at a time while it meets nothing outside, boxes
//! inside others are dropped, and then each dimension of a box is narrowed to what
//! its words can say ([`super::words::literal`]); the result is checked once more,
//! exactly, against every box.

use super::words::{literal, Said};

/// A box of candidates: for each dimension, which of its candidates it holds.
pub(super) type Cube = Vec<Vec<bool>>;

/// A box of the search: a candidate per assigned dimension (`None`: any).
pub(super) type Boxed = Vec<Option<usize>>;

/// Whether candidate `c` of dimension `d` may belong to a valid request.
fn is_live(live: &[Vec<bool>], d: usize, c: usize) -> bool {
    live.get(d).and_then(|s| s.get(c)).copied().unwrap_or(false)
}

/// Whether a cube and a box share a valid request (candidates that no valid request
/// has are left out).
fn meets(cube: &Cube, b: &Boxed, live: &[Vec<bool>]) -> bool {
    each_dimension(cube, b, live, false)
}

/// Whether the valid requests of a box lie inside a cube.
fn holds(cube: &Cube, b: &Boxed, live: &[Vec<bool>]) -> bool {
    each_dimension(cube, b, live, true)
}

/// Whether in every dimension some (`all`: every) candidate of the box that a valid
/// request may have is in the cube.
fn each_dimension(cube: &Cube, b: &Boxed, live: &[Vec<bool>], all: bool) -> bool {
    cube.iter().enumerate().all(|(d, set)| {
        let of_box = match b.get(d).copied().flatten() {
            None => 0..set.len(),
            Some(c) => c..c.saturating_add(1),
        };
        let mut inside = of_box
            .filter(|c| is_live(live, d, *c))
            .map(|c| set.get(c).copied().unwrap_or(false));
        if all {
            inside.all(|x| x)
        } else {
            inside.any(|x| x)
        }
    })
}

/// Whether a box holds candidate `c` of dimension `d` (an open dimension holds all).
fn in_box(b: &Boxed, d: usize, c: usize) -> bool {
    b.get(d).copied().flatten().is_none_or(|x| x == c)
}

fn cube_of(sizes: &[usize], b: &Boxed) -> Cube {
    sizes
        .iter()
        .enumerate()
        .map(|(d, n)| (0..*n).map(|c| in_box(b, d, c)).collect())
        .collect()
}

/// One alternative of a region: its cube and its words (a literal per dimension that
/// the cube does not hold whole).
#[derive(Debug, Clone)]
pub(super) struct Alternative {
    /// The words of each dimension it narrows, in dimension order.
    pub words: Vec<String>,
}

/// Why a region has no description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Undescribed {
    /// More alternatives than [`crate::limits::MATRIX_ALTERNATIVES`].
    TooMany(usize),
    /// The words found do not cover the region exactly.
    Inexact,
}

/// Refuses more alternatives than a cell says ([`crate::limits::MATRIX_ALTERNATIVES`]).
fn within_limit(alternatives: usize) -> Result<(), Undescribed> {
    if alternatives > crate::limits::MATRIX_ALTERNATIVES {
        Err(Undescribed::TooMany(alternatives))
    } else {
        Ok(())
    }
}

/// The alternatives covering `on` and meeting no box of `off`.
pub(super) fn cover(
    said: &Said<'_>,
    on: &[Boxed],
    off: &[Boxed],
) -> Result<Vec<Alternative>, Undescribed> {
    let (dims, kinds, live) = (said.dims, said.kinds, said.live);
    let sizes: Vec<usize> = dims.iter().map(|d| d.candidates.len()).collect();
    let mut cubes: Vec<Cube> = Vec::new();
    for b in on {
        if cubes.iter().any(|c| holds(c, b, live)) {
            continue;
        }
        let mut cube = cube_of(&sizes, b);
        for (d, n) in sizes.iter().enumerate() {
            for c in 0..*n {
                let Some(slot) = cube.get_mut(d).and_then(|s| s.get_mut(c)) else {
                    continue;
                };
                if *slot {
                    continue;
                }
                *slot = true;
                if off.iter().any(|o| meets(&cube, o, live)) {
                    if let Some(slot) = cube.get_mut(d).and_then(|s| s.get_mut(c)) {
                        *slot = false;
                    }
                }
            }
        }
        cubes.push(cube);
    }
    // Drop a cube whose boxes all lie in another cube that stays.
    let mut i = cubes.len();
    while i > 0 {
        i -= 1;
        let redundant = on
            .iter()
            .filter(|b| cubes.get(i).is_some_and(|c| holds(c, b, live)))
            .all(|b| {
                cubes
                    .iter()
                    .enumerate()
                    .any(|(j, c)| j != i && holds(c, b, live))
            });
        if redundant {
            cubes.remove(i);
        }
    }
    within_limit(cubes.len())?;
    let mut out = Vec::new();
    for cube in &mut cubes {
        let mut words = Vec::new();
        for d in 0..sizes.len() {
            let n = sizes.get(d).copied().unwrap_or(0);
            let mut onproj = vec![false; n];
            for b in on.iter().filter(|b| meets(cube, b, live)) {
                for (c, slot) in onproj.iter_mut().enumerate() {
                    let inside = cube.get(d).and_then(|s| s.get(c)).copied() == Some(true);
                    if inside && in_box(b, d, c) && is_live(live, d, c) {
                        *slot = true;
                    }
                }
            }
            let mut bad = vec![false; n];
            for (c, slot) in bad.iter_mut().enumerate() {
                let mut single = cube.clone();
                if let Some(set) = single.get_mut(d) {
                    *set = (0..n).map(|x| x == c).collect();
                }
                *slot = is_live(live, d, c) && off.iter().any(|o| meets(&single, o, live));
            }
            let (Some(dim), Some(kind)) = (dims.get(d), kinds.get(d)) else {
                return Err(Undescribed::Inexact);
            };
            if !bad.iter().any(|x| *x) {
                if let Some(set) = cube.get_mut(d) {
                    *set = vec![true; n];
                }
                continue;
            }
            let (matched, text) = literal(said, dim, kind, &onproj, &bad);
            if let Some(set) = cube.get_mut(d) {
                *set = matched;
            }
            words.push(text);
        }
        out.push(Alternative { words });
    }
    // The words, read back as cubes, must cover the region and meet nothing else.
    let covered = on.iter().all(|b| cubes.iter().any(|c| holds(c, b, live)));
    let clean = off.iter().all(|b| cubes.iter().all(|c| !meets(c, b, live)));
    if covered && clean {
        Ok(out)
    } else {
        Err(Undescribed::Inexact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_alternatives_are_refused() {
        let limit = crate::limits::MATRIX_ALTERNATIVES;
        assert_eq!(within_limit(limit), Ok(()));
        assert_eq!(
            within_limit(limit + 1),
            Err(Undescribed::TooMany(limit + 1))
        );
    }

    #[test]
    fn boxes_meet_and_hold_by_candidate() {
        let cube: Cube = vec![vec![true, false], vec![true, true]];
        let live: Cube = vec![vec![true, true], vec![true, true]];
        assert!(meets(&cube, &vec![Some(0), None], &live));
        assert!(!meets(&cube, &vec![Some(1), None], &live));
        assert!(holds(&cube, &vec![Some(0), None], &live));
        assert!(!holds(&cube, &vec![None, Some(1)], &live));
        // A candidate no valid request has is never in the way.
        let dead: Cube = vec![vec![true, false], vec![true, true]];
        assert!(holds(&cube, &vec![None, Some(1)], &dead));
        assert!(!meets(
            &vec![vec![false, true], vec![true, true]],
            &vec![None, None],
            &dead
        ));
        assert_eq!(
            cube_of(&[2, 3], &vec![Some(1), None]),
            vec![vec![false, true], vec![true; 3]]
        );
    }
}
