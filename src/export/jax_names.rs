//! Which JAX function each gradlang builtin becomes where the two map one
//! to one (the rest are written out in translate.rs or the runtime's
//! `runtime_ops.py`).

/// One-argument builtins and their JAX function.
pub(super) const ELEMENTWISE: &[(&str, &str)] = &[
    ("exp", "jnp.exp"),
    ("log", "jnp.log"),
    ("sqrt", "jnp.sqrt"),
    ("sin", "jnp.sin"),
    ("cos", "jnp.cos"),
    ("tan", "jnp.tan"),
    ("tanh", "jnp.tanh"),
    ("sigmoid", "jax.nn.sigmoid"),
    ("relu", "jax.nn.relu"),
    ("softplus", "_softplus"),
    ("abs", "jnp.abs"),
    ("sign", "jnp.sign"),
    ("atan", "jnp.arctan"),
    ("asin", "jnp.arcsin"),
    ("acos", "jnp.arccos"),
    ("sinh", "jnp.sinh"),
    ("cosh", "jnp.cosh"),
    ("asinh", "jnp.arcsinh"),
    ("acosh", "jnp.arccosh"),
    ("atanh", "jnp.arctanh"),
    ("log2", "jnp.log2"),
    ("log10", "jnp.log10"),
    ("log1p", "jnp.log1p"),
    ("expm1", "jnp.expm1"),
    ("erf", "jax.scipy.special.erf"),
    ("erfc", "jax.scipy.special.erfc"),
    ("floor", "jnp.floor"),
    ("ceil", "jnp.ceil"),
    ("round", "jnp.round"),
    ("trunc", "jnp.trunc"),
    ("transpose", "jnp.transpose"),
    ("trace", "jnp.trace"),
    ("inv", "jnp.linalg.inv"),
    ("det", "jnp.linalg.det"),
    ("logdet", "_logdet"),
    ("cholesky", "jnp.linalg.cholesky"),
    ("eigvalsh", "jnp.linalg.eigvalsh"),
    ("eigh", "_eigh"),
    ("svdvals", "_svdvals"),
    ("len", "_len"),
    ("shape", "_shape_of"),
];

/// Builtins of two or more arguments that map one to one.
pub(super) const PLAIN: &[(&str, &str)] = &[
    ("pow", "_pow"),
    ("clamp", "jnp.clip"),
    ("atan2", "jnp.arctan2"),
    ("where", "_where"),
    ("dot", "_dot"),
    ("outer", "jnp.outer"),
    ("solve", "jnp.linalg.solve"),
    ("polyval", "jnp.polyval"),
];

/// Reductions taking `axis=` and `keepdims=`.
pub(super) const REDUCTIONS: &[(&str, &str)] = &[
    ("sum", "jnp.sum"),
    ("mean", "jnp.mean"),
    ("max", "jnp.max"),
    ("min", "jnp.min"),
    ("prod", "jnp.prod"),
    ("norm", "_norm"),
    ("logsumexp", "jax.scipy.special.logsumexp"),
    ("argmax", "_argmax"),
    ("argmin", "_argmin"),
    ("any", "_any"),
    ("all", "_all"),
    ("std", "_std"),
    ("var", "_var"),
];
