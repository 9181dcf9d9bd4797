//! The syntax tree. Every expression and statement carries its byte span.

use super::span::{Span, Spanned};

pub type ExprS = Spanned<Expr>;
pub type StmtS = Spanned<Stmt>;
pub type Ident = Spanned<String>;

/// A whole script (or one REPL input).
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub stmts: Vec<StmtS>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `%`, with torch.remainder's sign: that of the divisor.
    Rem,
    MatMul,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    /// The operator as written in source, for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::MatMul => "@",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// A `name=value` option of a call, `print` or `minimize`.
#[derive(Debug, Clone, PartialEq)]
pub struct Opt {
    pub name: Ident,
    pub value: ExprS,
}

/// One position inside `x[...]`.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexItem {
    /// `x[i]`: picks one entry and drops the axis.
    At(ExprS),
    /// `x[a:b]`, `x[:]`, `x[a:]`, `x[:b]`, `x[a:b:s]`, `x[::-1]`: keeps
    /// the axis.
    Slice {
        start: Option<Box<ExprS>>,
        end: Option<Box<ExprS>>,
        step: Option<Box<ExprS>>,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    /// Strings are only legal where docs/language.md allows them (print, assert,
    /// csv, string-valued options); the evaluator rejects them elsewhere.
    Str(String),
    Bool(bool),
    Name(String),
    /// `[a, b, ...]`, nested for higher ranks.
    Tensor(Vec<ExprS>),
    Binary {
        op: BinOp,
        /// The operator itself, where errors about the operation point.
        op_span: Span,
        lhs: Box<ExprS>,
        rhs: Box<ExprS>,
    },
    Unary {
        op: UnOp,
        operand: Box<ExprS>,
    },
    Call {
        callee: Ident,
        args: Vec<ExprS>,
        opts: Vec<Opt>,
    },
    Index {
        target: Box<ExprS>,
        items: Vec<IndexItem>,
    },
    /// `x.T`
    Transpose(Box<ExprS>),
    If {
        cond: Box<ExprS>,
        then: Box<Block>,
        otherwise: Option<Box<Else>>,
    },
    Block(Box<Block>),
    /// `a..b`, legal only as the range of a `for`.
    Range {
        start: Box<ExprS>,
        end: Box<ExprS>,
    },
}

/// What follows `else`: a block or another `if`.
#[derive(Debug, Clone, PartialEq)]
pub enum Else {
    Block(Block),
    If(ExprS),
}

/// `{ stmt; stmt; expr }`: the value is the trailing expression, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stmts: Vec<StmtS>,
    pub value: Option<ExprS>,
    pub span: Span,
}

/// The body of `fn`: `= expr` or a block.
#[derive(Debug, Clone, PartialEq)]
pub enum FnBody {
    Expr(ExprS),
    Block(Block),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Let {
        name: Ident,
        value: ExprS,
    },
    Param {
        name: Ident,
        init: ExprS,
        /// `in [lo, hi]`
        bounds: Option<(ExprS, ExprS)>,
    },
    /// `loss = e` (name None) or `loss NAME = e`; with `residual` true,
    /// `residual = e` or `residual NAME = e`: the loss is the sum of the
    /// squares of `e`'s entries, and least-squares solvers see `e` itself.
    Loss {
        name: Option<Ident>,
        value: ExprS,
        residual: bool,
    },
    /// `NAME = expr`, `NAME += expr` (also `-=`, `*=`, `/=`), or the same
    /// on entries, `NAME[i, j] = expr`: changes an existing `let` name, or
    /// sets a param's value as data (no gradient flows through it).
    Assign {
        name: Ident,
        /// `NAME[...]`: only these entries change; empty for the whole value.
        index: Vec<IndexItem>,
        /// The operator of `+=` and its kin (with the span of `+=`),
        /// applied to the old value.
        op: Option<(BinOp, Span)>,
        value: ExprS,
    },
    /// `while cond { ... }`
    While {
        cond: ExprS,
        body: Block,
    },
    /// `break`: leaves the innermost loop.
    Break,
    /// `continue`: goes on with the innermost loop's next round.
    Continue,
    /// `minimize [NAME] with OPT k=v ...`, or `maximize`.
    Minimize {
        maximize: bool,
        loss: Option<Ident>,
        optimizer: Ident,
        opts: Vec<Opt>,
    },
    Print {
        args: Vec<ExprS>,
        opts: Vec<Opt>,
    },
    Fn {
        name: Ident,
        params: Vec<Ident>,
        body: std::rc::Rc<FnBody>,
    },
    For {
        var: Ident,
        range: ExprS,
        body: Block,
    },
    Seed(ExprS),
    /// `save "FILE"`: writes every param to a .safetensors or .json file.
    Save(ExprS),
    /// `load "FILE"`: sets the params from such a file, by name.
    Load(ExprS),
    Assert {
        cond: ExprS,
        message: Option<ExprS>,
    },
    Expr(ExprS),
}
