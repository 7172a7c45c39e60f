//! The time dimension: every feasible combination of the time splits (each the sign of
//! `x_a - x_b - c`, a difference of two times), for each set of the time fields given,
//! found by a depth-first search that checks each partial combination as a system of
//! difference constraints (Floyd–Warshall over the fields and the epoch: a negative
//! cycle means infeasible). Times are whole nanoseconds, so a strict bound `< c` is
//! exactly `<= c - 1 ns`, and the search is exact. Each region gets a witness: the
//! latest times that satisfy it, at or before a base time when possible, with strict
//! bounds kept an hour (else a second) apart so that the witness reads well.

use super::atoms::{time_range, Split, EQ, GT, LT};

/// One region: which time fields are given, the sign of each split that reads only
/// given fields, and a witness time per given field.
#[derive(Debug, Clone)]
pub struct Region {
    /// The given fields and their witness time (nanoseconds since the epoch).
    pub times: Vec<(u16, i128)>,
    /// The sign (`LT`, `EQ` or `GT`) of each split, `None` where a field is missing.
    pub signs: Vec<Option<u8>>,
}

/// The regions of the time fields `fields` (`always`: given in every request) under
/// `splits`, at most `limit` of them (`None`: more than that).
pub fn regions(
    fields: &[u16],
    always: &[u16],
    splits: &[Split],
    base: i128,
    limit: usize,
) -> Option<Vec<Region>> {
    let optional: Vec<u16> = fields
        .iter()
        .copied()
        .filter(|f| !always.contains(f))
        .collect();
    let mut out = Vec::new();
    for pattern in 0u64..(1u64 << optional.len().min(20)) {
        let mut given: Vec<u16> = always
            .iter()
            .copied()
            .filter(|f| fields.contains(f))
            .collect();
        for (i, f) in optional.iter().enumerate() {
            if pattern & (1 << i) != 0 {
                given.push(*f);
            }
        }
        let active: Vec<usize> = (0..splits.len())
            .filter(|&i| {
                splits
                    .get(i)
                    .is_some_and(|s| s.fields().all(|f| given.contains(&f)))
            })
            .collect();
        let mut chosen: Vec<(usize, u8)> = Vec::new();
        if !search(&given, splits, &active, &mut chosen, base, limit, &mut out) {
            return None;
        }
    }
    Some(out)
}

/// Depth-first over the active splits' signs; false when past `limit`.
fn search(
    given: &[u16],
    splits: &[Split],
    active: &[usize],
    chosen: &mut Vec<(usize, u8)>,
    base: i128,
    limit: usize,
    out: &mut Vec<Region>,
) -> bool {
    let Some((&next, rest)) = active.split_first() else {
        let Some(times) = witness(given, splits, chosen, base) else {
            return true;
        };
        if out.len() >= limit {
            return false;
        }
        let mut signs = vec![None; splits.len()];
        for (i, sign) in chosen.iter() {
            if let Some(slot) = signs.get_mut(*i) {
                *slot = Some(*sign);
            }
        }
        out.push(Region { times, signs });
        return true;
    };
    for sign in [LT, EQ, GT] {
        chosen.push((next, sign));
        if feasible(given, splits, chosen, 1, None)
            && !search(given, splits, rest, chosen, base, limit, out)
        {
            return false;
        }
        chosen.pop();
    }
    true
}

/// The constraint matrix of `chosen` over the epoch (0) and `given` (1..): `m[u][v]` is
/// the least known bound of `x_v - x_u`. Strict bounds are `margin` apart; with `base`,
/// every time is at most `base`. `None` when infeasible.
fn solve(
    given: &[u16],
    splits: &[Split],
    chosen: &[(usize, u8)],
    margin: i128,
    base: Option<i128>,
) -> Option<Vec<Vec<i128>>> {
    let n = given.len() + 1;
    let inf = i128::MAX / 4;
    let mut m = vec![vec![inf; n]; n];
    for (i, row) in m.iter_mut().enumerate() {
        if let Some(x) = row.get_mut(i) {
            *x = 0;
        }
    }
    let index = |f: Option<u16>| -> Option<usize> {
        match f {
            None => Some(0),
            Some(f) => given.iter().position(|g| *g == f).map(|i| i + 1),
        }
    };
    // x_v - x_u <= w
    let bound = |m: &mut Vec<Vec<i128>>, u: usize, v: usize, w: i128| {
        if let Some(x) = m.get_mut(u).and_then(|row| row.get_mut(v)) {
            *x = (*x).min(w);
        }
    };
    let (first, last) = time_range();
    for v in 1..n {
        bound(&mut m, 0, v, base.unwrap_or(last).min(last));
        bound(&mut m, v, 0, -first);
    }
    for (i, sign) in chosen {
        let split = splits.get(*i)?;
        let (a, b) = (index(split.a)?, index(split.b)?);
        // x_a - x_b  vs  c
        match *sign {
            LT => bound(&mut m, b, a, split.c - margin),
            EQ => {
                bound(&mut m, b, a, split.c);
                bound(&mut m, a, b, -split.c);
            }
            _ => bound(&mut m, a, b, -split.c - margin),
        }
    }
    for k in 0..n {
        let row_k = m.get(k)?.clone();
        for row in m.iter_mut() {
            let Some(&to_k) = row.get(k) else { continue };
            for (cell, from_k) in row.iter_mut().zip(&row_k) {
                let through = to_k.saturating_add(*from_k);
                if through < *cell {
                    *cell = through;
                }
            }
        }
    }
    m.iter()
        .enumerate()
        .all(|(i, row)| row.get(i).is_some_and(|d| *d >= 0))
        .then_some(m)
}

/// Whether some times satisfy `chosen` (strict bounds 1 ns apart: exact).
fn feasible(
    given: &[u16],
    splits: &[Split],
    chosen: &[(usize, u8)],
    margin: i128,
    base: Option<i128>,
) -> bool {
    solve(given, splits, chosen, margin, base).is_some()
}

/// Times satisfying `chosen`: the latest ones, at or before `base` when possible.
fn witness(
    given: &[u16],
    splits: &[Split],
    chosen: &[(usize, u8)],
    base: i128,
) -> Option<Vec<(u16, i128)>> {
    const HOUR: i128 = 3_600 * 1_000_000_000;
    const SECOND: i128 = 1_000_000_000;
    let attempts = [
        (HOUR, Some(base)),
        (SECOND, Some(base)),
        (1, Some(base)),
        (HOUR, None),
        (1, None),
    ];
    for (margin, base) in attempts {
        if let Some(m) = solve(given, splits, chosen, margin, base) {
            let row = m.first()?;
            return Some(
                given
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (*f, row.get(i + 1).copied().unwrap_or(0)))
                    .collect(),
            );
        }
    }
    None
}

/// The sign of `x_a - x_b - c` for these times.
pub fn sign_of(split: &Split, times: &[(u16, i128)]) -> Option<u8> {
    let value = |f: Option<u16>| match f {
        None => Some(0),
        Some(f) => times.iter().find(|(g, _)| *g == f).map(|(_, t)| *t),
    };
    let d = value(split.a)? - value(split.b)? - split.c;
    Some(match d.signum() {
        -1 => LT,
        0 => EQ,
        _ => GT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i128 = super::super::atoms::DAY_NS;

    #[test]
    fn a_window_and_its_start_give_five_regions_each_with_a_witness() {
        // at (1) against purchase (2): before, at, inside, at the end, after 60 days.
        let splits = [
            Split {
                a: Some(1),
                b: Some(2),
                c: 0,
            },
            Split {
                a: Some(1),
                b: Some(2),
                c: 60 * DAY,
            },
        ];
        let base = 1_800_000_000 * 1_000_000_000;
        let regions = regions(&[1, 2], &[1], &splits, base, 100).unwrap();
        // Purchase missing: 1 region; given: LT·LT, EQ·LT, GT·LT, GT·EQ, GT·GT.
        assert_eq!(regions.len(), 6, "{regions:?}");
        for r in &regions {
            for (split, sign) in splits.iter().zip(&r.signs) {
                if let Some(sign) = sign {
                    assert_eq!(sign_of(split, &r.times), Some(*sign), "{r:?}");
                }
            }
        }
        assert!(regions
            .iter()
            .all(|r| r.times.iter().all(|(_, t)| *t <= base)));
    }

    #[test]
    fn contradictory_signs_have_no_region() {
        // a > b + 1 day and a < b: impossible.
        let splits = [
            Split {
                a: Some(1),
                b: Some(2),
                c: DAY,
            },
            Split {
                a: Some(1),
                b: Some(2),
                c: 0,
            },
        ];
        let regions = regions(&[1, 2], &[1, 2], &splits, 0, 100).unwrap();
        assert_eq!(regions.len(), 5);
        assert!(regions
            .iter()
            .all(|r| !(r.signs[0] == Some(GT) && r.signs[1] == Some(LT))));
    }
}
