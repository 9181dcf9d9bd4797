//! Every error and warning code, in one list. A code is a variant of
//! [`Code`], so a typo is a compile error; docs/errors.md documents exactly
//! these (a test compares the two), and severity follows from the letter.

use super::Severity;

macro_rules! codes {
    ($($code:ident $summary:literal,)*) => {
        /// A stable error or warning code, printed as `[E0205]`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($code,)*
        }

        impl Code {
            /// Every code, in the order docs/errors.md lists them.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as printed, e.g. `"E0205"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// The heading docs/errors.md gives it.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$code => $summary,)*
                }
            }
        }
    };
}

impl Code {
    /// `W` codes are warnings, `E` codes errors.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    /// The code named `text`, e.g. for `:help E0205`.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

codes! {
    E0100 "the script is not valid UTF-8",
    E0101 "invalid character",
    E0102 "unterminated string",
    E0103 "invalid escape",
    E0104 "invalid number",
    E0105 "unexpected token",
    E0106 "unexpected end of input",
    E0107 "unmatched closing bracket",
    E0108 "mismatched closing bracket",
    E0109 "brackets nested too deeply",
    E0110 "expression nested too deeply",
    E0111 "unknown field",
    E0112 "chained comparison",
    E0113 "positional argument after an option",
    E0114 "too many syntax errors",
    E0115 "cannot assign to this",
    E0201 "unknown name",
    E0202 "unknown function",
    E0203 "wrong number of arguments",
    E0204 "unknown option",
    E0205 "shapes do not fit",
    E0206 "bad argument",
    E0207 "the loss is not a scalar",
    E0208 "no loss to minimize",
    E0209 "gradient with respect to something that is not a param",
    E0210 "a value must be a scalar",
    E0211 "param starts outside its bounds",
    E0212 "NaN or infinity during `minimize`",
    E0213 "assertion failed",
    E0214 "recursion too deep",
    E0215 "file error",
    E0216 "cannot assign",
    E0217 "misplaced construct",
    E0218 "tensor too large",
    E0219 "optimizer option error",
    E0220 "unknown optimizer",
    E0221 "index out of range",
    E0222 "too many indices",
    E0223 "no value",
    E0224 "a string used as a value",
    E0225 "a function used as a value",
    E0226 "formulas nested too deeply",
    E0227 "interrupted",
    E0228 "a formula that reads itself",
    E0229 "bad index",
    E0235 "`lm` needs a `residual`",
    E0236 "`lm` with bounded params",
    E0237 "no least-squares fit to report on",
    E0240 "mini-batch rows do not match",
    E0241 "bad mini-batch option",
    E0242 "a loaded param is missing or mis-shaped",
    E0250 "a branch on a value cannot be exported to JAX",
    E0251 "no JAX translation for this construct",
    E0252 "a random draw or file read inside a formula cannot be exported",
    W0001 "a param the loss does not depend on",
    W0002 "a `let` that is never used",
    W0003 "the loss rose during `minimize`",
    W0004 "a `param` in a block hides a top-level param",
    W0005 "a value computed and dropped",
    W0006 "data holds NaN or infinity",
    W0009 "params a least-squares fit cannot tell apart",
    W0010 "no degrees of freedom left for standard errors",
    W0011 "a loaded file holds a name that is no param",
}
