"""Mergeable states. See :mod:`dq.states.base` for the protocol."""

from dq.states.base import State, dumps, loads
from dq.states.frequencies import Frequencies
from dq.states.hll import HLLState
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
    "CoMoments",
    "CustomSqlState",
    "DataTypeHistogram",
    "Frequencies",
    "HLLState",
    "KLLState",
    "MaxState",
    "MeanState",
    "MinMaxState",
    "MinState",
    "Moments",
    "NumMatches",
    "NumMatchesAndCount",
    "RatioOfSumsState",
    "State",
    "SumState",
    "dumps",
    "loads",
]

