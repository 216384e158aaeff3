"""`lupustrial audit verify`: the chain, the checkpoints, the record replayed, then a checkpoint.

A trail that passes is anchored by a fresh checkpoint line, so that what it holds now can
no longer be taken back unnoticed; a trail that fails is not anchored.
"""

from __future__ import annotations

from lupustrial.edc.audit.checkpoints import contradictions, read_checkpoints, write_checkpoint
from lupustrial.edc.audit.trail import Break, ChainReport, verify_chain


def verify(checkpoint_by: str | None = "verify", reconcile: bool = True) -> ChainReport:
    """The chain's report with every checkpoint it contradicts and, with ``reconcile``, every
    difference between the replayed trail and the record; if intact, a new checkpoint."""
    report = verify_chain()
    checkpoints, problems = read_checkpoints()
    report.breaks.extend(Break(0, "checkpoint", problem) for problem in problems)
    report.breaks.extend(
        Break(seq, "checkpoint", what) for seq, what in contradictions(checkpoints, report.head_seq)
    )
    if reconcile:
        # The study's tables sit above the trail: imported here, where they are compared.
        from lupustrial.edc.reconciliation import reconcile as replay

        report.breaks.extend(Break(0, "record", d.line()) for d in replay())
    if report.intact and checkpoint_by is not None:
        report.checkpoint = write_checkpoint(report.head_seq, report.head_hash, checkpoint_by)
    return report
