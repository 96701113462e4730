"""The doctor's rules: each reads the :class:`~.evidence.Evidence` of a probe run and returns a
verdict — ``{"rule", "status": "ok" | "warn" | "fail", "evidence", "advice", "threshold",
"numbers"}`` — or a :class:`Skip` saying why it cannot judge (e.g. no validation loss).

The thresholds, their defaults and their sources are in :mod:`.thresholds`; the advice is what
the seeds suggest for each problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass
class Skip:
    """A rule that cannot judge this case, and why."""

    rule: str
    reason: str


def verdict(rule, status, evidence, advice, threshold, **numbers) -> dict:
    """One verdict (``advice`` only when the status is not ok)."""
    return {
        "rule": rule,
        "status": status,
        "evidence": evidence,
        "advice": advice if status != OK else "",
        "threshold": threshold,
        "numbers": numbers,
    }


def grade(value: float, warn: float, fail: float, *, below: bool = False) -> str:
    """FAIL past ``fail``, WARN past ``warn``, else OK; ``below``: past means smaller."""
    if below:
        return FAIL if value < fail else WARN if value < warn else OK
    return FAIL if value > fail else WARN if value > warn else OK


def _prefixed(stats: dict, statistic: str) -> dict:
    """``{layer key: value}`` of the ``<statistic>/<key>`` entries of ``stats``."""
    prefix = f"{statistic}/"
    return {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)}


def _layer_medians(history: dict, statistic: str) -> dict[str, float]:
    """``{layer key: median over epochs}`` of a statistic in a history."""
    found = _prefixed(history, statistic)
    return {key: float(np.nanmedian(values)) for key, values in found.items() if len(values)}


def gradient_ratio(ev) -> tuple[float, str, str] | None:
    """(first layer's ‖g‖₂ ÷ last layer's, first key, last key), medians over the epochs."""
    norms = _layer_medians(ev.history, "grad_norm")
    if len(norms) < 2:
        return None
    first, last = next(iter(norms)), list(norms)[-1]
    ratio = norms[first] / norms[last] if norms[last] > 0 else np.inf
    return float(ratio), first, last


def vanishing_gradients(ev, t) -> dict | Skip:
    """r = median ‖g_first layer‖₂ ÷ median ‖g_last layer‖₂: warn below vanishing_warn, fail
    below vanishing_fail."""
    found = gradient_ratio(ev)
    if found is None:
        return Skip("vanishing_gradients", "fewer than two per-layer gradient norms in the history")
    ratio, first, last = found
    status = grade(ratio, t.vanishing_warn, t.vanishing_fail, below=True)
    return verdict(
        "vanishing_gradients",
        status,
        f"the first layer's ({first}) gradient norm is {ratio:.3g} times the last layer's "
        f"({last}) (median over {_epochs(ev)} epoch(s))",
        dead_relu_advice(ev.final, t)
        or "Try ReLU activations, He initialisation, batch normalisation or residual "
        "connections; fewer layers also help.",
        f"warn below {t.vanishing_warn:g}, fail below {t.vanishing_fail:g}",
        ratio=ratio,
    )


def exploding_gradients(ev, t) -> dict:
    """max over batches of ‖g‖₂ past exploding_norm_warn / _fail; first ÷ last layer ratio past
    exploding_ratio warns; a non-finite gradient fails."""
    largest = float(np.nanmax(ev.history.get("grad_norm_max", [0.0]) or [0.0]))
    found = gradient_ratio(ev)
    ratio = found[0] if found else 1.0
    status = grade(largest, t.exploding_norm_warn, t.exploding_norm_fail)
    if status == OK and ratio > t.exploding_ratio:
        status = WARN
    diverged = ev.diverged is not None and ev.diverged.get("what") != "loss"
    if diverged or not np.isfinite(largest):
        status = FAIL
    what = f"largest batch gradient norm {largest:.3g}; first ÷ last layer's norm {ratio:.3g}"
    if diverged:
        what += f"; the {ev.diverged['what']} became non-finite"
    return verdict(
        "exploding_gradients",
        status,
        what,
        "Clip the gradients (clip_norm=1.0), lower the learning rate, check the input scale; "
        "a smaller initialisation (Glorot/He) keeps the norms near 1.",
        f"warn above {t.exploding_norm_warn:g} (or a ratio above {t.exploding_ratio:g}), fail "
        f"above {t.exploding_norm_fail:g} or on divergence",
        largest=largest,
        ratio=ratio,
    )


def dead_relu_advice(stats: dict, t) -> str | None:
    """The advice when a ReLU layer is mostly dead in the probe statistics ``stats`` (share of
    units never active above dead_relu_warn): no gradient flows through dead units, so they,
    not the activation or the initialiser of the weights, are the cause to fix first (often
    the biases). None when no layer is."""
    found = _prefixed(stats, "dead_fraction")
    if not found:
        return None
    key = max(found, key=found.get)
    share = float(found[key])
    if share <= t.dead_relu_warn:
        return None
    return (
        f"{share:.0%} of the ReLU units of layer {key} are never active (see dying_relu), so "
        "no gradient flows through them: fix that first. Start the biases at zero "
        "(bias_initializer='zeros'), lower the learning rate, or use a leaky ReLU "
        "(activation='leaky_relu') or ELU."
    )


def _share_rule(ev, rule, statistic, layers, limits, skip, what, advice) -> dict | Skip:
    """A verdict on the layer with the largest share ``statistic`` in the final probe
    statistics (among ``layers``, if given), graded by ``limits`` = (warn, fail)."""
    found = _prefixed(ev.final, statistic)
    found = {k: v for k, v in found.items() if layers is None or k in layers}
    if not found:
        return Skip(rule, skip)
    key = max(found, key=found.get)
    share = float(found[key])
    warn, fail = limits
    return verdict(
        rule,
        grade(share, warn, fail),
        f"{share:.0%} of the units of layer {key} {what}",
        advice,
        f"warn above {warn:.0%}, fail above {fail:.0%} of a layer",
        share=share,
        layer=key,
    )


def dying_relu(ev, t) -> dict | Skip:
    """max over ReLU layers of #{units never active on the probe} / #units."""
    return _share_rule(
        ev, "dying_relu", "dead_fraction", None, (t.dead_relu_warn, t.dead_relu_fail),
        "no ReLU layer, or no probe rows",
        "are never active on the probe rows",
        "Lower the learning rate, use He initialisation with zero biases, or a leaky ReLU "
        "(activation='leaky_relu') or ELU, which keep a gradient for z < 0.",
    )  # fmt: skip


def saturation(ev, t) -> dict | Skip:
    """max over hidden sigmoid/tanh layers of the share of units saturated on most rows."""
    return _share_rule(
        ev, "saturation", "saturated_fraction", ev.hidden, (t.saturation_warn, t.saturation_fail),
        "no hidden sigmoid or tanh layer, or no probe rows",
        f"are saturated (f'(z) < {t.saturation_margin:g}·max f') on most probe rows",
        "Scale the inputs, use Glorot initialisation for sigmoid/tanh (or switch to ReLU), "
        "and lower the learning rate.",
    )  # fmt: skip


def initialization(ev, t) -> dict | Skip:
    """std(z_last hidden) ÷ std(z_first hidden) at the starting weights, against
    [1/init_warn, init_warn] and [1/init_fail, init_fail]."""
    stds = {k: v for k, v in _prefixed(ev.initial, "z_std").items() if k in ev.hidden}
    if len(stds) < 2:
        return Skip("initialization", "fewer than two hidden layers, or no probe rows")
    first, last = next(iter(stds)), list(stds)[-1]
    ratio = stds[last] / stds[first] if stds[first] > 0 else np.inf
    size = max(ratio, 1 / ratio) if ratio > 0 else np.inf
    trend = "collapses" if ratio < 1 else "grows"
    return verdict(
        "initialization",
        grade(size, t.init_warn, t.init_fail),
        f"at the weights the doctor started from, std(z) {trend} from {stds[first]:.3g} "
        f"(layer {first}) to {stds[last]:.3g} (layer {last}): a factor {ratio:.3g}",
        dead_relu_advice(ev.initial, t)
        or "Use the initialisation made for the activation: He (he_normal) for ReLU, Glorot "
        "(glorot_uniform) for tanh/sigmoid; mlpkit's defaults do.",
        f"warn outside [1/{t.init_warn:g}, {t.init_warn:g}], fail outside "
        f"[1/{t.init_fail:g}, {t.init_fail:g}]",
        ratio=ratio,
    )


def _epochs(ev) -> int:
    return len(ev.history.get("loss", []))


def learning_rate_too_high(ev, t) -> dict | Skip:
    """Fail when L_last > L_first or the fit diverged; warn when the share of epochs with
    L_t+1 − L_t > rise·L_first exceeds oscillation_warn."""
    losses = np.asarray(ev.history.get("loss", []), dtype=float)
    diverged = ev.diverged is not None
    if len(losses) < 3 and not diverged:
        return Skip("learning_rate_too_high", "fewer than three epochs of training loss")
    steps = np.diff(losses)
    rising = float(np.mean(steps > t.rise * abs(losses[0]))) if len(steps) else 1.0
    grew = not np.isfinite(losses[-1]) or losses[-1] > losses[0]
    status = FAIL if diverged or grew else WARN if rising > t.oscillation_warn else OK
    what = f"training loss {losses[0]:.4g} → {losses[-1]:.4g}; {rising:.0%} of the epochs went up"
    if diverged:
        what += "; the fit diverged and stopped"
    return verdict(
        "learning_rate_too_high",
        status,
        what,
        "Lower the learning rate (by 3x to 10x; mk.lr_find suggests one), or clip the "
        "gradients (clip_norm=1.0).",
        f"fail when the loss grows or diverges, warn when more than {t.oscillation_warn:.0%} "
        f"of the epochs rise by over {t.rise:.0%} of the first loss",
        rising=rising,
        first=float(losses[0]) if len(losses) else None,
        last=float(losses[-1]) if len(losses) else None,
    )


def learning_rate_too_low(ev, t) -> dict | Skip:
    """Warn when (L_first − L_last)/L_first < progress_warn while L_last > baseline_share ×
    the loss of the best constant prediction."""
    losses = np.asarray(ev.history.get("loss", []), dtype=float)
    if len(losses) < 2 or ev.baseline_loss is None or not np.isfinite(losses).all():
        return Skip("learning_rate_too_low", "fewer than two finite epoch losses")
    progress = (losses[0] - losses[-1]) / abs(losses[0]) if losses[0] else 0.0
    share = losses[-1] / ev.baseline_loss if ev.baseline_loss > 0 else 0.0
    stuck = progress < t.progress_warn and share > t.baseline_share
    return verdict(
        "learning_rate_too_low",
        WARN if stuck else OK,
        f"the training loss fell by {progress:.1%} over {len(losses)} epochs and ends at "
        f"{share:.0%} of the best constant prediction's loss ({ev.baseline_loss:.4g})",
        "Raise the learning rate (mk.lr_find suggests one) or use an adaptive optimizer "
        "(Adam); if the gradients vanish, see that rule first.",
        f"warn when the loss falls by less than {t.progress_warn:.0%} while above "
        f"{t.baseline_share:.0%} of the constant predictor's",
        progress=float(progress),
        baseline_share=float(share),
    )
