"""A replica's sync identity: its keys, its trust list, and the folders sync works in.

Everything lives beside the database, in ``<db>.files/``::

    keys/device_ed25519       the device's Ed25519 signing key (OpenSSH format, 0600)
    keys/device_ed25519.pub   its public line, to give to whoever must trust this device
    keys/age_identity.txt     the age identity that decrypts bundles sent to this replica
    allowed_signers           the trust list (an OpenSSH allowed_signers file)
    .staging/                 bundles being verified; emptied before each sync run
    .sync.lock                held while a bundle is written or read

A database opened without `curator init` works for local use; only signing needs the keys.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from curator_tui.domain.os_errors import os_error_text
from curator_tui.platform import exclusive_lock_nowait, set_permissions, user_path
from curator_tui.store import authorship, peer_knowledge, sync_state
from curator_tui.store.peer_knowledge import Receiver
from curator_tui.store.roadmaps import normalise, organisation_id
from curator_tui.store.store import Store
from curator_tui.sync import keys
from curator_tui.sync.errors import KeyFileError, SyncError, TrustError
from curator_tui.sync.oprules import ID_PATTERN, ROLE_LABELS
from curator_tui.sync.trust import ANY_ORGANISATION, TrustEntry, TrustList, TrustRole

NOT_INITIALISED = (
    "У этой базы нет ключа подписи: сначала выполните curator init (см. curator init --help)"
)


@dataclass(frozen=True)
class ReplicaPaths:
    files_dir: Path

    @property
    def keys_dir(self) -> Path:
        return self.files_dir / "keys"

    @property
    def device_key(self) -> Path:
        return self.keys_dir / "device_ed25519"

    @property
    def device_public_key(self) -> Path:
        return self.keys_dir / "device_ed25519.pub"

    @property
    def age_identity(self) -> Path:
        return self.keys_dir / "age_identity.txt"

    @property
    def trust_file(self) -> Path:
        return self.files_dir / "allowed_signers"

    @property
    def staging_dir(self) -> Path:
        return self.files_dir / ".staging"

    @property
    def lock_file(self) -> Path:
        return self.files_dir / ".sync.lock"


def paths_of(store: Store) -> ReplicaPaths:
    return ReplicaPaths(store.files_dir)


# --- init ---------------------------------------------------------------------------------


@dataclass
class InitOptions:
    name: str
    role: TrustRole
    organisation: str | None = None  # a name or an id; required for a school
    coordinator_key: str | None = None  # a public key line or a file holding one
    hub_region: str | None = None
    municipality: str | None = None  # the organisation's district, recorded as a change


@dataclass
class KeyInfo:
    public_key: str
    fingerprint: str
    age_recipient: str


@dataclass
class InitResult:
    db: Path
    device_id: str
    keys: KeyInfo
    created_keys: bool
    organisation_id: str | None
    organisation_name: str | None
    coordinator: TrustEntry | None
    municipality: str | None  # as recorded (None: not given)
    keys_dir: Path
    notes: list[str] = field(default_factory=list)


def init_replica(db: Path, options: InitOptions) -> InitResult:
    """Create (or complete) a replica's identity; existing keys are kept, never replaced."""
    name = options.name.strip()
    if not name:
        raise SyncError("Укажите название устройства: --name")
    if options.role is TrustRole.SCHOOL and not options.organisation:
        raise SyncError("Для базы школы укажите её организацию: --organisation")
    if options.hub_region is not None and options.role is not TrustRole.COORDINATOR:
        raise SyncError("Сводная база (--hub) бывает только у координатора")
    if options.municipality is not None and options.hub_region is not None:
        raise SyncError(
            "У сводной базы нет своего муниципалитета: укажите его школе "
            "(curator school set-municipality)"
        )
    with Store.open(db, create=True) as store:
        paths = paths_of(store)
        notes: list[str] = []
        created = ensure_keys(paths)
        if not created:
            notes.append("Ключи уже были созданы раньше и оставлены без изменений")
        info = key_info(paths, name)
        # A new device's id is its key's hash, so its key binds it (sync/authorship.py).
        authorship.adopt_device_id(store, keys.device_id_for(load_signing_key(paths).public_key()))
        store.init_device(name=name, role=options.role.value, public_key=info.public_key)
        org_id, org_name = remember_organisation(store, options.organisation, notes)
        municipality = record_municipality(store, org_id, options.municipality)
        if options.hub_region:
            store.set_setting(sync_state.HUB_REGION_SETTING, options.hub_region.strip())
        coordinator = None
        if options.coordinator_key:
            scope = org_id if options.role is TrustRole.SCHOOL and org_id else ANY_ORGANISATION
            coordinator = trust_coordinator(store, options.coordinator_key, scope, notes)
        return InitResult(
            db=Path(db),
            device_id=store.device_id,
            keys=info,
            created_keys=created,
            organisation_id=org_id,
            organisation_name=org_name,
            coordinator=coordinator,
            municipality=municipality,
            keys_dir=paths.keys_dir,
            notes=notes,
        )


def record_municipality(store: Store, org_id: str | None, municipality: str | None) -> str | None:
    """The organisation's municipality as an ordinary change: it travels in this device's
    next bundle and merges like any field (`oprules.SAID_BY_ANY_ROLE` lets a school say it)."""
    if municipality is None:
        return None
    if not org_id:
        raise SyncError("Муниципалитет указывается для организации: добавьте --organisation")
    text = " ".join(municipality.split())
    if not text:
        raise SyncError("Укажите название муниципалитета: --municipality «Молчановский район»")
    store.set_municipality(org_id, text)
    return text


def ensure_keys(paths: ReplicaPaths) -> bool:
    """Make the signing key and the age identity if missing; True if anything was made."""
    paths.keys_dir.mkdir(parents=True, exist_ok=True)
    set_permissions(paths.keys_dir, 0o700)
    created = False
    if not paths.device_key.exists():
        keys.save_private_key(keys.generate_device_key(), paths.device_key)
        created = True
    if not paths.age_identity.exists():
        keys.save_age_identity(keys.generate_age_identity(), paths.age_identity)
        created = True
    return created


def key_info(paths: ReplicaPaths, comment: str = "") -> KeyInfo:
    private = load_signing_key(paths)
    public = private.public_key()
    if comment:
        keys.save_public_key(public, paths.device_public_key, comment)
    return KeyInfo(
        public_key=keys.public_key_line(public),
        fingerprint=keys.fingerprint(public),
        age_recipient=keys.age_recipient(keys.load_age_identity(paths.age_identity)),
    )


def load_signing_key(paths: ReplicaPaths) -> Ed25519PrivateKey:
    if not paths.device_key.exists():
        raise SyncError(NOT_INITIALISED)
    return keys.load_private_key(paths.device_key)


def replica_keys(db: Path) -> KeyInfo:
    """What `curator keys show` prints: the public line, its fingerprint, the age recipient."""
    with Store.open(db) as store:
        paths = paths_of(store)
        if not paths.device_key.exists() or not paths.age_identity.exists():
            raise SyncError(NOT_INITIALISED)
        return key_info(paths)


def export_public_key(db: Path, target: Path) -> KeyInfo:
    """Write the device's public key line (with its name as comment) to `target`."""
    info = replica_keys(db)
    with Store.open(db) as store:
        name = store.device().get("name") or ""
    public, _comment = keys.parse_public_key_line(info.public_key)
    try:
        keys.save_public_key(
            public, Path(target), _single_line(name), age_recipient=info.age_recipient
        )
    except OSError as exc:
        raise SyncError(f"Не удалось записать файл {target}: {os_error_text(exc)}") from exc
    return info


def _single_line(text: str) -> str:
    return " ".join(text.split())


def remember_organisation(
    store: Store, organisation: str | None, notes: list[str]
) -> tuple[str | None, str | None]:
    if not organisation:
        return store.setting(sync_state.ORGANISATION_SETTING), store.setting(
            sync_state.ORGANISATION_NAME_SETTING
        )
    org_id, org_name = resolve_organisation(store, organisation)
    if org_id == ANY_ORGANISATION:
        raise SyncError("Организация школы должна быть одна, а не «*»")
    known = sync_state.organisation_names(store)
    if known and org_id not in known:
        listed = "; ".join(f"{n} ({i})" for i, n in sorted(known.items(), key=lambda x: x[1]))
        notes.append(f"Организации «{organisation}» пока нет в базе. В базе есть: {listed}")
    store.set_setting(sync_state.ORGANISATION_SETTING, org_id)
    store.set_setting(sync_state.ORGANISATION_NAME_SETTING, org_name or organisation)
    return org_id, org_name or organisation


def resolve_organisation(store: Store, text: str) -> tuple[str, str | None]:
    """An organisation id from what a user typed: "*", an id, or a name (as the roadmap has it)."""
    text = text.strip()
    if text == ANY_ORGANISATION:
        return ANY_ORGANISATION, None
    names = sync_state.organisation_names(store)
    if ID_PATTERN.fullmatch(text):
        return text, names.get(text)
    for org_id, name in names.items():
        if normalise(name) == normalise(text):
            return org_id, name
    # Ids of organisations come from their names (roadmaps.organisation_id), so a name typed
    # as the roadmap spells it gives the same id the coordinator's roadmap will carry.
    return organisation_id(text), text


# --- receivers -------------------------------------------------------------------------------

COORDINATOR_WORDS = frozenset({"координатор", "coordinator"})


def resolve_receiver(store: Store, text: str | None) -> Receiver:
    """Whom an export is for, from `--for`: a device id, a name from the trust list, or
    «координатор» (also the default: the coordinator this replica last heard from).

    The one place `--for` is read: an organisation (issue 15's scoped bundles) is another
    branch here, before the trust list's names."""
    default = peer_knowledge.default_receiver(store.conn)
    word = (text or "").strip()
    if not word or word.casefold() in COORDINATOR_WORDS:
        return default
    peer_id: str | None
    if ID_PATTERN.fullmatch(word):
        if word == store.device_id:
            raise SyncError("Это id самой этой базы: укажите получателя пакета")
        peer_id = word
        name = peer_knowledge.device_name(store.conn, peer_id)
    else:
        peer_id, name = trusted_peer(store, word)
    if peer_id is not None and peer_id == default.peer_id:
        return default
    return Receiver(peer_id, name)


def trusted_peer(store: Store, name: str) -> tuple[str | None, str]:
    """The device of a trust-list entry (None if it has never sent a bundle here)."""
    wanted = name.casefold()
    entries = [
        e
        for e in TrustList.load(paths_of(store).trust_file)
        if e.display_name.casefold() == wanted or e.principal == name
    ]
    if not entries:
        raise SyncError(
            f"Получатель «{name}» не найден: укажите id устройства, имя из curator trust list "
            "или «координатор»"
        )
    devices = sync_state.devices_with_keys(store, {e.public_key for e in entries})
    if len(devices) > 1:
        listed = ", ".join(f"{d} ({n})" for d, n in sorted(devices.items()))
        raise SyncError(f"Имени «{name}» соответствует несколько устройств: {listed}; укажите id")
    for device_id, device_name in devices.items():
        return device_id, device_name or entries[0].display_name
    return None, entries[0].display_name


def receiver_organisations(
    store: Store, receiver: Receiver, typed: str | None
) -> frozenset[str] | None:
    """The organisations a receiver may hold, by its trust entries here (its device's key,
    or the trust-list name typed after `--for`): a school's bundle from a hub must carry its
    own organisation's data only (issue 15: never another school's on that stick). None: no
    limit — a coordinator, a curator trusted for every school, or a receiver not in the list."""
    entries = TrustList.load(paths_of(store).trust_file)
    device = store.known_device(receiver.peer_id) if receiver.peer_id else None
    key = (device or {}).get("public_key") or ""
    wanted = (typed or "").strip().casefold()
    mine = [
        e
        for e in entries
        if (key and e.public_key == key) or (wanted and e.display_name.casefold() == wanted)
    ]
    if not mine or any(
        e.role is TrustRole.COORDINATOR or e.organisation_id == ANY_ORGANISATION for e in mine
    ):
        return None
    return frozenset(e.organisation_id for e in mine)


# --- trust list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFile:
    """A public key as given: its line's key and comment, and the age recipient its file
    carries (`keys.save_public_key`), if any."""

    key: Ed25519PublicKey
    comment: str
    age_recipient: str | None = None


def read_public_key(text_or_path: str) -> tuple[Ed25519PublicKey, str]:
    """A public key given as a line (``ssh-ed25519 AAAA… comment``) or as a file holding one."""
    given = read_key_file(text_or_path)
    return given.key, given.comment


def read_key_file(text_or_path: str) -> KeyFile:
    """`read_public_key`, with the age recipient a key file made by `keys export` carries
    (the file's text pasted whole carries it too)."""
    text = text_or_path.strip()
    content, where = text, "тексте ключа"
    if not text.startswith(keys.ED25519_KEY_TYPE + " "):
        path = user_path(text)
        try:
            content = path.read_text(encoding="utf-8", errors="replace")[: keys.MAX_KEY_FILE_SIZE]
        except OSError as exc:
            raise KeyFileError(
                f"«{text[:80]}» — не открытый ключ ssh-ed25519 и не файл с ним"
            ) from exc
        where = f"файле {path}"
    lines = [ln for ln in content.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1:
        raise KeyFileError(f"В {where} должна быть ровно одна строка ключа ssh-ed25519")
    return KeyFile(*keys.parse_public_key_line(lines[0]), keys.age_recipient_in(content))


# The coordinator's age recipient, with the fingerprint of the key it came with: exports are
# encrypted to it by default while that key stays trusted.
COORDINATOR_RECIPIENT_SETTING = "coordinator_age_recipient"


def remember_coordinator_recipient(store: Store, given: KeyFile) -> None:
    if given.age_recipient:
        value = {"fingerprint": keys.fingerprint(given.key), "recipient": given.age_recipient}
        store.set_setting(COORDINATOR_RECIPIENT_SETTING, json.dumps(value))


def coordinator_recipient(db: Path, today: date | None = None) -> str | None:
    """Whom this replica's exports are encrypted to by default: the age recipient of a trusted
    coordinator's key file (None if there is none, or its key is no longer trusted)."""
    if not Path(db).exists():
        return None
    with Store.open(db) as store:
        stored = store.setting(COORDINATOR_RECIPIENT_SETTING)
        trust = TrustList.load(paths_of(store).trust_file)
    if not stored:
        return None
    value = json.loads(stored)
    day = today or date.today()
    for entry in trust:
        current = entry.valid_until is None or day <= entry.valid_until
        coordinator = entry.role is TrustRole.COORDINATOR
        if current and coordinator and entry.fingerprint == value["fingerprint"]:
            return str(value["recipient"])
    return None


def trust_coordinator(store: Store, key_text: str, scope: str, notes: list[str]) -> TrustEntry:
    paths = paths_of(store)
    given = read_key_file(key_text)
    key, comment = given.key, given.comment
    remember_coordinator_recipient(store, given)
    trust = TrustList.load(paths.trust_file)
    existing = trust.find(key)
    if existing is not None:
        notes.append(f"Ключ координатора уже в списке доверия («{existing.display_name}»)")
        return existing
    entry = TrustEntry.for_key(
        key,
        display_name=_single_line(comment) or "Координатор",
        organisation_id=scope,
        role=TrustRole.COORDINATOR,
    )
    trust.add(entry)
    trust.save(paths.trust_file)
    return entry


@dataclass
class TrustRow:
    entry: TrustEntry
    organisation_name: str | None
    expired: bool


def list_trust(db: Path, today: date | None = None) -> list[TrustRow]:
    with Store.open(db) as store:
        trust = TrustList.load(paths_of(store).trust_file)
        names = sync_state.organisation_names(store)
    day = today or date.today()
    return [
        TrustRow(
            entry=e,
            organisation_name=names.get(e.organisation_id),
            expired=e.valid_until is not None and day > e.valid_until,
        )
        for e in trust
    ]


def add_trust(
    db: Path,
    key_text: str,
    *,
    name: str,
    organisation: str,
    role: TrustRole,
    valid_until: date | None = None,
) -> TrustRow:
    given = read_key_file(key_text)
    key = given.key
    with Store.open(db) as store:
        paths = paths_of(store)
        org_id, org_name = resolve_organisation(store, organisation)
        own = paths.device_key.exists() and keys.same_public_key(
            load_signing_key(paths).public_key(), key
        )
        if own:
            raise TrustError("Это ключ самой этой базы: доверять ему не нужно")
        try:
            entry = TrustEntry.for_key(
                key,
                display_name=_single_line(name),
                organisation_id=org_id,
                role=role,
                valid_until=valid_until,
            )
        except ValueError as exc:
            raise TrustError(_entry_error(role, exc)) from exc
        trust = TrustList.load(paths.trust_file)
        trust.add(entry)
        paths.files_dir.mkdir(parents=True, exist_ok=True)
        trust.save(paths.trust_file)
        if role is TrustRole.COORDINATOR:
            remember_coordinator_recipient(store, given)
    return TrustRow(entry, org_name, expired=False)


def _entry_error(role: TrustRole, exc: ValueError) -> str:
    if role is TrustRole.SCHOOL and "school key" in str(exc):
        return "Ключ школы доверяется только для одной организации, а не для «*»"
    return "Неверные сведения о ключе: укажите непустое имя в одну строку"


def remove_trust(db: Path, fingerprint_or_principal: str) -> TrustEntry:
    with Store.open(db) as store:
        paths = paths_of(store)
        trust = TrustList.load(paths.trust_file)
        removed = trust.remove(fingerprint_or_principal.strip())
        trust.save(paths.trust_file)
    return removed


def extend_trust(db: Path, fingerprint: str, valid_until: date | None) -> TrustRow:
    """Trust the listed key `fingerprint` until `valid_until` (None: with no end)."""
    with Store.open(db) as store:
        paths = paths_of(store)
        trust = TrustList.load(paths.trust_file)
        found = [e for e in trust if e.fingerprint == fingerprint]
        if not found:
            raise TrustError(f"В списке доверия нет ключа «{fingerprint}»")
        entry = found[0].model_copy(update={"valid_until": valid_until})
        trust.add(entry, replace=True)
        trust.save(paths.trust_file)
        name = sync_state.organisation_names(store).get(entry.organisation_id)
    expired = valid_until is not None and date.today() > valid_until
    return TrustRow(entry, name, expired=expired)


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[TrustRole(role)]
    except ValueError:
        return role or "—"


# --- working folders ----------------------------------------------------------------------


@contextlib.contextmanager
def sync_session(paths: ReplicaPaths) -> Iterator[Path]:
    """Hold the replica's sync lock and yield a clean staging folder beside the database.

    One bundle run at a time per replica: the lock makes leftovers in `.staging` (from a run
    killed half-way) safe to delete, since no live run can be using them. The staging folder
    is on the database's file system, so verified evidence is renamed into the store.
    """
    paths.files_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_lock_nowait(paths.lock_file) as held:
        if not held:
            raise SyncError(
                "С этой базой уже идёт обмен пакетами (другое окно или команда). "
                "Дождитесь его окончания и повторите."
            )
        try:
            shutil.rmtree(paths.staging_dir, ignore_errors=True)
            paths.staging_dir.mkdir(mode=0o700)
            yield paths.staging_dir
        finally:
            shutil.rmtree(paths.staging_dir, ignore_errors=True)
