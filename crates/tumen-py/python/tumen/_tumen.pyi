"""Type stubs of the native module ``tumen._tumen`` (use the package ``tumen`` instead)."""

from typing import Any, Dict, List, Optional, Tuple

__version__: str

class TumenError(Exception):
    """A failure of Tumen: the base class of every error the package raises."""

class ScenarioError(TumenError):
    """A bad input; ``diagnostics`` lists every problem found, located."""

    diagnostics: List[Dict[str, Any]]

class Scenario:
    @property
    def name(self) -> str: ...
    @property
    def days(self) -> int: ...
    @property
    def start_date(self) -> str: ...
    @property
    def locations(self) -> List[str]: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def warning_diagnostics(self) -> List[Dict[str, Any]]: ...
    @property
    def path(self) -> Optional[str]: ...
    @property
    def has_mechanisms(self) -> bool: ...
    def run(
        self,
        *,
        seed: int,
        days: Optional[int],
        engine: str,
        replicas: int,
        settings: Optional[str],
        overrides: List[str],
        jobs: Optional[int],
        posterior: Optional[str] = None,
        no_posterior: bool = False,
    ) -> Tuple[List[Tuple[str, bytes]], List[str], List[str]]: ...

def load(path: Optional[str] = None) -> Scenario: ...
def replica_seed(seed: int, index: int) -> int: ...
def calibrate(
    path: Optional[str],
    *,
    until: str,
    output: str,
    params: Optional[str] = None,
    particles: Optional[int] = None,
    generations: Optional[int] = None,
    budget: Optional[int] = None,
    replicas_per_particle: Optional[int] = None,
    min_tolerance: Optional[float] = None,
    forecast_replicas: Optional[int] = None,
    seed: int = 1,
    jobs: Optional[int] = None,
) -> Tuple[List[str], str]: ...
def sensitivity(
    path: Optional[str],
    *,
    samples: int,
    output: str,
    params: Optional[str] = None,
    morris: Optional[int] = None,
    seed: int = 1,
    jobs: Optional[int] = None,
) -> Tuple[List[str], List[str]]: ...
