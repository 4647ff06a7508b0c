//! gettext's `Plural-Forms` expressions (a C expression in `n`, e.g. `(n%10==1 && n%100!=11 ?
//! 0 : 1)`), evaluated as GNU gettext and Python's `gettext.c2py` do. polib reads the header
//! but does not evaluate it.

/// A parsed `plural=` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluralRule(Expr);

impl Default for PluralRule {
    /// `n != 1`, gettext's rule for a catalogue without `Plural-Forms`.
    fn default() -> Self {
        PluralRule(Expr::Binary(
            Op::Ne,
            Box::new(Expr::N),
            Box::new(Expr::Num(1)),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    N,
    Num(i64),
    Not(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// Binary operators by precedence, loosest first (C's).
const LEVELS: [&[(&str, Op)]; 6] = [
    &[("||", Op::Or)],
    &[("&&", Op::And)],
    &[("==", Op::Eq), ("!=", Op::Ne)],
    &[("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)],
    &[("+", Op::Add), ("-", Op::Sub)],
    &[("*", Op::Mul), ("/", Op::Div), ("%", Op::Rem)],
];

impl PluralRule {
    /// Parses the expression after `plural=`.
    pub fn parse(source: &str) -> Result<PluralRule, String> {
        let mut parser = Parser {
            rest: source.trim(),
        };
        let expr = parser.ternary()?;
        if parser.rest.trim().is_empty() {
            Ok(PluralRule(expr))
        } else {
            Err(format!("unexpected {:?} in plural rule", parser.rest))
        }
    }

    /// The index of the form to use for `n`.
    pub fn index(&self, n: u64) -> usize {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        usize::try_from(eval(&self.0, n)).unwrap_or(0)
    }
}

fn eval(expr: &Expr, n: i64) -> i64 {
    match expr {
        Expr::N => n,
        Expr::Num(value) => *value,
        Expr::Not(inner) => i64::from(eval(inner, n) == 0),
        Expr::If(test, then, otherwise) => {
            if eval(test, n) != 0 {
                eval(then, n)
            } else {
                eval(otherwise, n)
            }
        }
        Expr::Binary(op, left, right) => {
            let (a, b) = (eval(left, n), eval(right, n));
            match op {
                Op::Or => i64::from(a != 0 || b != 0),
                Op::And => i64::from(a != 0 && b != 0),
                Op::Eq => i64::from(a == b),
                Op::Ne => i64::from(a != b),
                Op::Lt => i64::from(a < b),
                Op::Gt => i64::from(a > b),
                Op::Le => i64::from(a <= b),
                Op::Ge => i64::from(a >= b),
                Op::Add => a.wrapping_add(b),
                Op::Sub => a.wrapping_sub(b),
                Op::Mul => a.wrapping_mul(b),
                Op::Div => a.checked_div(b).unwrap_or(0),
                Op::Rem => a.checked_rem(b).unwrap_or(0),
            }
        }
    }
}

struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    fn eat(&mut self, token: &str) -> bool {
        self.rest = self.rest.trim_start();
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn ternary(&mut self) -> Result<Expr, String> {
        let test = self.binary(0)?;
        if !self.eat("?") {
            return Ok(test);
        }
        let then = self.ternary()?;
        if !self.eat(":") {
            return Err("expected ':' in plural rule".into());
        }
        let otherwise = self.ternary()?;
        Ok(Expr::If(
            Box::new(test),
            Box::new(then),
            Box::new(otherwise),
        ))
    }

    fn binary(&mut self, level: usize) -> Result<Expr, String> {
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        'more: loop {
            for (token, op) in *ops {
                // `!` alone is not `!=`, and `<` is tried after `<=`.
                if self.eat(token) {
                    let right = self.binary(level + 1)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right));
                    continue 'more;
                }
            }
            return Ok(left);
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.ternary()?;
            if !self.eat(")") {
                return Err("expected ')' in plural rule".into());
            }
            return Ok(inner);
        }
        if self.eat("n") {
            return Ok(Expr::N);
        }
        let digits = self.rest.len()
            - self
                .rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        let (number, rest) = self.rest.split_at(digits);
        self.rest = rest;
        number
            .parse()
            .map(Expr::Num)
            .map_err(|_| format!("expected a number in plural rule at {rest:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indices(rule: &str, ns: &[u64]) -> Vec<usize> {
        let rule = PluralRule::parse(rule).unwrap_or_else(|err| panic!("{rule}: {err}"));
        ns.iter().map(|n| rule.index(*n)).collect()
    }

    #[test]
    fn rules_of_the_shipped_catalogues_pick_the_forms_gettext_picks() {
        assert_eq!(indices("0", &[0, 1, 8]), [0, 0, 0]);
        assert_eq!(indices("(n != 1)", &[0, 1, 8]), [1, 0, 1]);
        assert_eq!(indices("(n > 1)", &[0, 1, 8]), [0, 0, 1]);
        let russian = "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || \
                       n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && \
                       n%100<=14)? 2 : 3)";
        assert_eq!(indices(russian, &[1, 3, 8, 11, 21, 22]), [0, 1, 2, 2, 0, 1]);
        let arabic = "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : \
                      n%100>=11 && n%100<=99 ? 4 : 5";
        assert_eq!(indices(arabic, &[0, 1, 2, 8, 11, 100]), [0, 1, 2, 3, 4, 5]);
        let french = "n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2";
        assert_eq!(indices(french, &[1, 8, 1_000_000]), [0, 2, 1]);
        assert_eq!(indices("!(n == 1) + 2 * 3 - 6 / 2", &[1, 2]), [3, 4]);
    }

    #[test]
    fn malformed_rules_are_errors() {
        for rule in ["", "n ==", "(n", "n ? 1", "n $ 2"] {
            assert!(PluralRule::parse(rule).is_err(), "{rule:?}");
        }
    }
}
