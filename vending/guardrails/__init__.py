"""Guardrails: the SCP catalog, its compiler and an evaluator that explains decisions."""

from vending.guardrails.compiler import CompiledPolicy, GuardrailPlan, plan_guardrails
from vending.guardrails.principals import platform_principals

__all__ = ["CompiledPolicy", "GuardrailPlan", "plan_guardrails", "platform_principals"]
