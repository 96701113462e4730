"""The formulas explain mode prints beside each number: activations, losses, optimizers.

Each is the rule the corresponding mlpkit class implements (see its docstring); n is the
number of rows, k the number of outputs.
"""

from __future__ import annotations

#: Activation name → (a = f(z), f'(z)); None where f' is a Jacobian (softmax).
ACTIVATIONS = {
    "linear": ("a = z", "f'(z) = 1"),
    "step": ("a = 1 if z > 0 else 0", "f'(z) = 0"),
    "sigmoid": ("a = σ(z) = 1/(1 + e^(−z))", "f'(z) = σ(z)(1 − σ(z))"),
    "tanh": ("a = tanh(z)", "f'(z) = 1 − tanh²(z)"),
    "relu": ("a = max(0, z)", "f'(z) = 1 if z > 0 else 0"),
    "leaky_relu": ("a = z if z > 0 else s·z", "f'(z) = 1 if z > 0 else s"),
    "prelu": ("a = z if z > 0 else α·z", "f'(z) = 1 if z > 0 else α"),
    "elu": ("a = z if z > 0 else α(e^z − 1)", "f'(z) = 1 if z > 0 else α·e^z"),
    "softplus": ("a = log(1 + e^z)", "f'(z) = σ(z)"),
    "silu": ("a = z·σ(z)", "f'(z) = σ(z)(1 + z(1 − σ(z)))"),
    "gelu": ("a = z·Φ(z)", "f'(z) = Φ(z) + z·φ(z)"),
    "softmax": ("a = e^z / Σⱼ e^zⱼ (per row)", None),
}

#: Loss name → (L, its gradient with respect to the network's output).
LOSSES = {
    "mse": ("L = mean over rows and outputs of (ŷ − y)²", "dL/dŷ = 2(ŷ − y)/(n·k)"),
    "mae": ("L = mean over rows and outputs of |ŷ − y|", "dL/dŷ = sign(ŷ − y)/(n·k)"),
    "huber": (
        "L = mean of ½r² where |r| ≤ δ, δ(|r| − ½δ) elsewhere (r = ŷ − y)",
        "dL/dŷ = clip(ŷ − y, −δ, δ)/(n·k)",
    ),
    "binary_cross_entropy": (
        "L = −mean[y·log σ(z) + (1 − y)·log(1 − σ(z))]",
        "dL/dz = (σ(z) − y)/(n·k)",
    ),
    "categorical_cross_entropy": (
        "L = −(1/n)·Σᵢ Σⱼ yᵢⱼ·log softmax(zᵢ)ⱼ",
        "dL/dz = (softmax(z) − y)/n",
    ),
}


def activation_formulas(name: str) -> tuple[str, str | None]:
    """(a = f(z), f'(z)) of the activation ``name``."""
    return ACTIVATIONS.get(name, (f"a = {name}(z)", f"f'(z) = {name}'(z)"))


def loss_formulas(loss) -> tuple[str, str]:
    """(L, dL/d output) of ``loss`` (an ``mk.losses`` object)."""
    return LOSSES.get(loss.name, (f"L = {loss.name}(ŷ, y)", "dL/dŷ"))


def optimizer_formula(optimizer) -> str:
    """The update rule of ``optimizer``, g the gradient, with its learning rate."""
    name, config = optimizer.name, optimizer.get_config()
    lr = f"η = {optimizer.last_learning_rate:g}"
    if name == "sgd" and config.get("momentum"):
        mu = config["momentum"]
        if config.get("nesterov"):
            return f"b ← {mu:g}·b + g;  θ ← θ − η·(g + {mu:g}·b)   ({lr})"
        return f"b ← {mu:g}·b + g;  θ ← θ − η·b   ({lr})"
    if name == "sgd":
        return f"θ ← θ − η·g   ({lr})"
    if name in ("adam", "adamw"):
        decay = "θ ← θ·(1 − η·λ);  " if name == "adamw" else ""
        return (
            f"{decay}m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  "
            f"θ ← θ − η·m̂/(√v̂ + ε)   ({lr}, β₁ = {config['beta_1']:g}, "
            f"β₂ = {config['beta_2']:g}, ε = {config['epsilon']:g})"
        )
    return f"the {type(optimizer).__name__} rule (see mk.optim.{type(optimizer).__name__})   ({lr})"


__all__ = ["ACTIVATIONS", "LOSSES", "activation_formulas", "loss_formulas", "optimizer_formula"]
