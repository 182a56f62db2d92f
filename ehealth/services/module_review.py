"""Reading a draft before it goes live, and publishing it with the version its changes call for.

The reviewer compares a draft with the module's published version (``content.diff``): what was
added, removed and changed, per step and per language. The version number is proposed from that
diff (patch for wording, minor for steps added, major for steps removed or answers that no longer
fit); the reviewer may choose a higher number, never a lower one, so a change that breaks
answers given before can never be published as "wording only". ``publish_reviewed`` is that
rule in front of ``authoring.publish`` (which keeps every other check: state, four eyes, the
revision the reviewer read, the module checker).

The history of an organisation's module compares any two of its published versions the same way.
Nothing here touches the request: callers pass the user and the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ehealth.content.diff import ModuleDiff, VersionProposal, diff_modules, propose_version
from ehealth.content.diff import version_problem as _version_problem
from ehealth.content.problems import Problem
from ehealth.models import DraftState, MediaFile, ModuleDraft, ModuleVersion, ReviewEvent, User
from ehealth.services import authoring
from ehealth.services.authoring import DraftNotFound, NotAllowed, VersionTooLow, WrongState


class VersionBelowProposal(VersionTooLow):
    """The chosen version hides a change: it is lower than the proposal from the diff."""


class ChangedSinceRead(WrongState):
    """The draft was saved again after the revision the reviewer read: read it again."""


@dataclass
class DraftReview:
    """A draft with what it changes against the published version, as the reviewer reads it."""

    draft: ModuleDraft
    published: ModuleVersion | None  # the module's latest published version (None: new module)
    diff: ModuleDiff
    proposal: VersionProposal
    problems: list[Problem]
    events: list[ReviewEvent]  # the review conversation since the last publication
    may_review: bool  # the reader may approve and publish, or send back
    last_editor: bool  # four eyes keeps the reader from reviewing: they made the last change

    @property
    def in_review(self) -> bool:
        """Whether the draft was submitted and waits for a reviewer."""
        return self.draft.state == DraftState.IN_REVIEW


def changes_of(draft: ModuleDraft) -> tuple[ModuleVersion | None, ModuleDiff, VersionProposal]:
    """The published version ``draft`` would follow, the diff against it and the proposal."""
    published = authoring.latest_version(draft.module_id)
    if published is not None and published.__data__["organisation"] != draft.__data__[
            "organisation"]:
        published = None  # never happens for a valid id; a diff against nothing is safe
    old = published.content if published is not None else None
    diff = diff_modules(old, draft.content)
    proposal = propose_version(published.version if published is not None else None, diff,
                               old, draft.content)
    return published, diff, proposal


def review_of(user: User, draft_id: int, media_dir: Path | None = None) -> DraftReview:
    """The draft ``draft_id`` of the user's organisation with its diff, proposal and comments."""
    draft = authoring.draft_of(user, draft_id)
    published, diff, proposal = changes_of(draft)
    events = [event for event in authoring.review_events(user, draft.module_id)
              if event.__data__["module_version"] is None]
    four_eyes = bool(draft.organisation.four_eyes_review)
    return DraftReview(
        draft=draft, published=published, diff=diff, proposal=proposal,
        problems=authoring.check_content(draft.content, media_dir,
                                         uploads=MediaFile.paths_of(draft.organisation)),
        events=events,
        may_review=authoring.may_review(user, draft),
        last_editor=four_eyes and draft.__data__["updated_by"] == user.id)


def version_problem(draft: ModuleDraft, version: str) -> str | None:
    """Why ``version`` cannot be the draft's published version number (None: it can)."""
    published, _diff, proposal = changes_of(draft)
    return _version_problem(version, published.version if published is not None else None,
                            proposal)


def publish_reviewed(reviewer: User, draft_id: int, version: str, note: str = "",
                     media_dir: Path | None = None, revision: int | None = None
                     ) -> ModuleVersion:
    """Approve and publish a draft in review, as ``version``: at least what its changes call for.

    Raises NotAllowed (four eyes, another organisation), WrongState (not in review, or changed
    since ``revision``), VersionBelowProposal / VersionTooLow, or DraftHasProblems; publishes
    nothing then.
    """
    draft = authoring.draft_of(reviewer, draft_id)
    if draft.state != DraftState.IN_REVIEW:
        raise WrongState("Only a draft that was submitted for review can be published.")
    if not authoring.may_review(reviewer, draft):
        raise NotAllowed("Someone other than the last editor reviews this draft (four eyes).")
    if revision is not None and revision != draft.revision:
        raise ChangedSinceRead("The draft changed while you were reading it: read it again.")
    problem = version_problem(draft, version)
    if problem is not None:
        raise VersionBelowProposal(problem)
    return authoring.publish(reviewer, draft_id, version, note, media_dir, revision)


@dataclass
class VersionComparison:
    """Two published versions of an organisation's module and what changed between them."""

    module_id: str
    old: ModuleVersion
    new: ModuleVersion
    diff: ModuleDiff


def compare_versions(user: User, module_id: str, old_version: str,
                     new_version: str) -> VersionComparison:
    """The diff from ``old_version`` to ``new_version`` of the organisation's module.

    Either may be the higher one (a diff backwards reads as undoing). DraftNotFound when the
    module or a version is not the organisation's.
    """
    versions = {version.version: version for version in authoring.history(user, module_id)}
    if old_version not in versions or new_version not in versions:
        raise DraftNotFound("No such version of this module in your organisation.")
    old, new = versions[old_version], versions[new_version]
    return VersionComparison(module_id, old, new, diff_modules(old.content, new.content))
