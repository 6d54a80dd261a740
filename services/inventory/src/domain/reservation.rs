//! What a reservation decides: whether every line of an order can be served from the stock
//! that is available, and which SKUs fall below their low-stock threshold because of it.
//!
//! All or nothing: one line that cannot be served rejects the whole order, with a reason for
//! each such line, so the customer learns everything that is wrong at once.

use contracts::order::OrderLine;
use contracts::stock::{RejectedLine, StockLow};
use serde::{Deserialize, Serialize};

/// A SKU and how many of it are held for an order. The lines are stored with the reservation,
/// so committing or releasing it later moves exactly what was reserved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedLine {
    pub sku: String,
    pub quantity: i64,
}

/// What an order wants: its lines summed per SKU (the same SKU may appear on several lines), in
/// SKU order, which is also the order stock rows are locked in, so that concurrent orders for
/// overlapping SKUs queue instead of deadlocking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted(Vec<ReservedLine>);

impl Wanted {
    /// SKUs are compared as the catalogue spells them (trimmed, upper case). A line whose SKU is
    /// not one is not refused here: it matches no stock and is rejected as an unknown SKU.
    pub fn of(lines: &[OrderLine]) -> Self {
        let mut summed = std::collections::BTreeMap::<String, i64>::new();
        for line in lines {
            *summed.entry(line.sku.trim().to_uppercase()).or_default() += i64::from(line.quantity);
        }
        Self(
            summed
                .into_iter()
                .map(|(sku, quantity)| ReservedLine { sku, quantity })
                .collect(),
        )
    }

    pub fn lines(&self) -> &[ReservedLine] {
        &self.0
    }

    pub fn skus(&self) -> Vec<String> {
        self.0.iter().map(|line| line.sku.clone()).collect()
    }
}

/// The stock of one SKU as a reservation finds it (locked for its transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockPosition {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
    /// Whether the product is offered for sale.
    pub active: bool,
}

impl StockPosition {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

/// Why each line of `wanted` cannot be reserved from `stock`; empty when every line can.
pub fn shortfalls(wanted: &Wanted, stock: &[StockPosition]) -> Vec<RejectedLine> {
    wanted
        .lines()
        .iter()
        .filter_map(|line| {
            let (available, reason) = match stock.iter().find(|s| s.sku == line.sku) {
                None => (0, "unknown-sku"),
                Some(position) if !position.active => (0, "inactive-product"),
                Some(position) if position.available() < line.quantity => {
                    (position.available(), "insufficient-stock")
                }
                Some(_) => return None,
            };
            Some(RejectedLine {
                sku: line.sku.clone(),
                requested: u32::try_from(line.quantity).unwrap_or(u32::MAX),
                available: u32::try_from(available.max(0)).unwrap_or(0),
                reason: reason.into(),
            })
        })
        .collect()
}

/// The low-stock announcement when reserving `quantity` takes `position` from at or above its
/// threshold to below it. Only the crossing is announced: a reservation that leaves stock below
/// the threshold where it already was says nothing new.
pub fn low_stock_after(position: &StockPosition, quantity: i64) -> Option<StockLow> {
    let (before, after) = (position.available(), position.available() - quantity);
    (before >= position.low_stock_threshold && after < position.low_stock_threshold).then(|| {
        StockLow {
            sku: position.sku.clone(),
            available: after,
            threshold: position.low_stock_threshold,
        }
    })
}

/// How a reservation ends once the order is decided, and how a committed one is taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The order is confirmed: the reserved stock leaves the warehouse.
    Commit,
    /// The order is cancelled or its payment failed: the reserved stock is available again.
    Release,
    /// The order was confirmed, then cancelled before it shipped: the stock its commit took
    /// comes back on hand.
    Return,
}

impl Settlement {
    /// The reservation's status this settles (a `reservations.status` value): only a
    /// reservation in it moves, so each settlement happens once per order.
    pub fn status_before(self) -> &'static str {
        match self {
            Self::Commit | Self::Release => "reserved",
            Self::Return => "committed",
        }
    }

    /// The reservation's status afterwards.
    pub fn status(self) -> &'static str {
        match self {
            Self::Commit => "committed",
            Self::Release => "released",
            Self::Return => "returned",
        }
    }

    /// The ledger's reason for the change.
    pub fn ledger_reason(self) -> &'static str {
        match self {
            Self::Commit => "commit",
            Self::Release => "release",
            Self::Return => "return",
        }
    }

    /// How a line changes stock on hand: committed stock is gone, released stock stays,
    /// returned stock is back.
    pub fn on_hand_delta(self, line: &ReservedLine) -> i64 {
        match self {
            Self::Commit => -line.quantity,
            Self::Release => 0,
            Self::Return => line.quantity,
        }
    }

    /// How a line changes the stock reserved: a commit or a release ends the reservation; a
    /// returned line was no longer reserved.
    pub fn reserved_delta(self, line: &ReservedLine) -> i64 {
        match self {
            Self::Commit | Self::Release => -line.quantity,
            Self::Return => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: u32) -> OrderLine {
        OrderLine {
            sku: sku.into(),
            quantity,
            unit_price_minor: 100,
            currency: "EUR".into(),
            product_name: None,
            category: None,
        }
    }

    fn position(sku: &str, on_hand: i64, reserved: i64, active: bool) -> StockPosition {
        StockPosition {
            sku: sku.into(),
            on_hand,
            reserved,
            low_stock_threshold: 5,
            active,
        }
    }

    fn reserved(sku: &str, quantity: i64) -> ReservedLine {
        ReservedLine {
            sku: sku.into(),
            quantity,
        }
    }

    #[test]
    fn wanted_sums_lines_of_one_sku_in_sku_order() {
        let wanted = Wanted::of(&[line("lamp-1", 2), line("DESK-1", 1), line(" LAMP-1 ", 3)]);
        assert_eq!(
            wanted.lines(),
            [reserved("DESK-1", 1), reserved("LAMP-1", 5)]
        );
        assert_eq!(wanted.skus(), ["DESK-1", "LAMP-1"]);
    }

    #[test]
    fn enough_stock_of_every_line_is_no_shortfall() {
        let wanted = Wanted::of(&[line("LAMP-1", 3), line("DESK-1", 1)]);
        let stock = [
            position("DESK-1", 1, 0, true),
            position("LAMP-1", 5, 2, true),
        ];
        assert_eq!(shortfalls(&wanted, &stock), []);
    }

    #[test]
    fn each_line_that_cannot_be_served_says_why() {
        let wanted = Wanted::of(&[line("GONE-1", 1), line("OLD-1", 1), line("LAMP-1", 4)]);
        let stock = [
            position("OLD-1", 9, 0, false),
            position("LAMP-1", 5, 2, true),
        ];
        let reasons: Vec<(String, u32, u32, String)> = shortfalls(&wanted, &stock)
            .into_iter()
            .map(|l| (l.sku, l.requested, l.available, l.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("GONE-1".into(), 1, 0, "unknown-sku".into()),
                ("LAMP-1".into(), 4, 3, "insufficient-stock".into()),
                ("OLD-1".into(), 1, 0, "inactive-product".into()),
            ]
        );
    }

    #[test]
    fn committing_takes_stock_away_releasing_keeps_it_and_returning_brings_it_back() {
        let line = reserved("LAMP-1", 3);
        let moves = |s: Settlement| (s.on_hand_delta(&line), s.reserved_delta(&line));
        assert_eq!(moves(Settlement::Commit), (-3, -3));
        assert_eq!(moves(Settlement::Release), (0, -3));
        assert_eq!(moves(Settlement::Return), (3, 0));
        // A return undoes a commit: the release it would have been.
        let (commit, back) = (moves(Settlement::Commit), moves(Settlement::Return));
        assert_eq!(
            (commit.0 + back.0, commit.1 + back.1),
            moves(Settlement::Release)
        );
        assert_eq!(
            Settlement::Return.status_before(),
            Settlement::Commit.status()
        );
    }

    #[test]
    fn low_stock_is_announced_when_the_threshold_is_crossed() {
        let low = low_stock_after(&position("LAMP-1", 6, 0, true), 2).expect("6 -> 4 crosses 5");
        assert_eq!((low.available, low.threshold), (4, 5));
        assert_eq!(
            low_stock_after(&position("LAMP-1", 7, 0, true), 2),
            None,
            "7 -> 5"
        );
        assert_eq!(
            low_stock_after(&position("LAMP-1", 4, 0, true), 1),
            None,
            "already low"
        );
    }
}
