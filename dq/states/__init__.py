"""Mergeable states. See :mod:`dq.states.base` for the protocol."""

from dq.states.base import State, dumps, loads
from dq.states.frequencies import Frequencies
from dq.states.kll import KLLState
from dq.states.moments import CoMoments, Moments
from dq.states.simple import (
    CustomSqlState,
    DataTypeHistogram,
    MaxState,
    MeanState,
    MinMaxState,
    MinState,
    NumMatches,
    NumMatchesAndCount,
    RatioOfSumsState,
    SumState,
)

__all__ = [
    "State", "dumps", "loads", "Frequencies", "KLLState", "CoMoments", "Moments", "CustomSqlState",
    "DataTypeHistogram", "MaxState", "MeanState", "MinMaxState", "MinState", "NumMatches",
    "NumMatchesAndCount", "RatioOfSumsState", "SumState", "HLLState",
]


def __getattr__(name: str):  # HLLState lives in its own module (loaded on first use)
    if name == "HLLState":
        from dq.states.hll import HLLState

        return HLLState
    raise AttributeError(name)
