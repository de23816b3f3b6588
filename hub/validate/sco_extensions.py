"""The predefined SCO extensions (STIX 2.1 §6): file, network-traffic, process, user-account."""

from __future__ import annotations

import re
from typing import Any

from hub.validate import common as c
from hub.validate.errors import Problem

S, SL, B = c.string, c.string_list, c.boolean
NONNEG = c.integer(0, None)
INT = c.integer()


def _embedded_any(
    props: dict[str, c.Check],
    required: tuple[str, ...] = (),
    any_of: tuple[str, ...] = (),
    name: str = "extension",
) -> c.Check:
    """Most predefined extensions need at least one of their optional properties."""
    return c.embedded(props, required, name, any_of=any_of)


_SOCKET_OPTION_RE = re.compile(r"^(?:SO|ICMP|ICMP6|IP|IPV6|MCAST|TCP|IRLMP)(?:_[A-Z]+)+$")


def _socket_options(value: Any, path: str, out: list[Problem]) -> None:
    c.dictionary(value, path, out)
    if isinstance(value, dict):
        for k, v in value.items():
            if not _SOCKET_OPTION_RE.match(k):
                c.problem(out, f"{path}.{k}", "is not a socket option name (SO_*, IP_*, TCP_*...)")
            elif not isinstance(v, int) or isinstance(v, bool):
                c.problem(out, f"{path}.{k}", "must be an integer")


_HASHES = c.hashes
_PE_HEADER = c.embedded(
    {
        "magic_hex": c.hexadecimal,
        "major_linker_version": INT,
        "minor_linker_version": INT,
        "size_of_code": NONNEG,
        "size_of_initialized_data": NONNEG,
        "size_of_uninitialized_data": NONNEG,
        "address_of_entry_point": INT,
        "base_of_code": INT,
        "base_of_data": INT,
        "image_base": INT,
        "section_alignment": INT,
        "file_alignment": INT,
        "major_os_version": INT,
        "minor_os_version": INT,
        "major_image_version": INT,
        "minor_image_version": INT,
        "major_subsystem_version": INT,
        "minor_subsystem_version": INT,
        "win32_version_value_hex": c.hexadecimal,
        "size_of_image": NONNEG,
        "size_of_headers": NONNEG,
        "checksum_hex": c.hexadecimal,
        "subsystem_hex": c.hexadecimal,
        "dll_characteristics_hex": c.hexadecimal,
        "size_of_stack_reserve": NONNEG,
        "size_of_stack_commit": NONNEG,
        "size_of_heap_reserve": NONNEG,
        "size_of_heap_commit": NONNEG,
        "loader_flags_hex": c.hexadecimal,
        "number_of_rva_and_sizes": INT,
        "hashes": _HASHES,
    },
    (),
    "PE optional header",
)
_PE_SECTION = c.embedded(
    {
        "name": S,
        "size": NONNEG,
        "entropy": c.number(),
        "hashes": _HASHES,
    },
    ("name",),
    "PE section",
)

FILE_EXTENSIONS: dict[str, c.Check] = {
    "archive-ext": _embedded_any(
        {
            "contains_refs": c.ref_list(("file", "directory")),
            "comment": S,
        },
        ("contains_refs",),
    ),
    "ntfs-ext": _embedded_any(
        {
            "sid": S,
            "alternate_data_streams": c.list_of(
                c.embedded(
                    {"name": S, "hashes": _HASHES, "size": NONNEG},
                    ("name",),
                    "alternate data stream",
                )
            ),
        },
        (),
        ("sid", "alternate_data_streams"),
    ),
    "pdf-ext": _embedded_any(
        {
            "version": S,
            "is_optimized": B,
            "document_info_dict": c.dictionary,
            "pdfid0": S,
            "pdfid1": S,
        },
        (),
        ("version", "is_optimized", "document_info_dict", "pdfid0", "pdfid1"),
    ),
    "raster-image-ext": _embedded_any(
        {
            "image_height": INT,
            "image_width": INT,
            "bits_per_pixel": INT,
            "exif_tags": c.dictionary,
        },
        (),
        ("image_height", "image_width", "bits_per_pixel", "exif_tags"),
    ),
    "windows-pebinary-ext": _embedded_any(
        {
            "pe_type": S,
            "imphash": S,
            "machine_hex": c.hexadecimal,
            "number_of_sections": NONNEG,
            "time_date_stamp": c.timestamp_seconds,
            "pointer_to_symbol_table_hex": c.hexadecimal,
            "number_of_symbols": NONNEG,
            "size_of_optional_header": NONNEG,
            "characteristics_hex": c.hexadecimal,
            "file_header_hashes": _HASHES,
            "optional_header": _PE_HEADER,
            "sections": c.list_of(_PE_SECTION),
        },
        ("pe_type",),
        (
            "imphash",
            "machine_hex",
            "number_of_sections",
            "time_date_stamp",
            "pointer_to_symbol_table_hex",
            "number_of_symbols",
            "size_of_optional_header",
            "characteristics_hex",
            "file_header_hashes",
            "optional_header",
            "sections",
        ),
    ),
}

NETWORK_EXTENSIONS: dict[str, c.Check] = {
    "http-request-ext": _embedded_any(
        {
            "request_method": S,
            "request_value": S,
            "request_version": S,
            "request_header": c.dictionary,
            "message_body_length": INT,
            "message_body_data_ref": c.ref(("artifact",)),
        },
        ("request_method", "request_value"),
    ),
    "icmp-ext": _embedded_any(
        {
            "icmp_type_hex": c.hexadecimal,
            "icmp_code_hex": c.hexadecimal,
        },
        ("icmp_type_hex", "icmp_code_hex"),
    ),
    "socket-ext": _embedded_any(
        {
            "address_family": c.enum(
                (
                    "AF_UNSPEC",
                    "AF_INET",
                    "AF_IPX",
                    "AF_APPLETALK",
                    "AF_NETBIOS",
                    "AF_INET6",
                    "AF_IRDA",
                    "AF_BTH",
                )
            ),
            "is_blocking": B,
            "is_listening": B,
            "options": _socket_options,
            "socket_type": c.enum(
                ("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET")
            ),
            "socket_descriptor": NONNEG,
            "socket_handle": INT,
        },
        ("address_family",),
    ),
    "tcp-ext": _embedded_any(
        {
            "src_flags_hex": c.hexadecimal,
            "dst_flags_hex": c.hexadecimal,
        },
        (),
        ("src_flags_hex", "dst_flags_hex"),
    ),
}

PROCESS_EXTENSIONS: dict[str, c.Check] = {
    "windows-process-ext": _embedded_any(
        {
            "aslr_enabled": B,
            "dep_enabled": B,
            "priority": S,
            "owner_sid": S,
            "window_title": S,
            "startup_info": c.dictionary,
            "integrity_level": c.enum(("low", "medium", "high", "system")),
        },
        (),
        (
            "aslr_enabled",
            "dep_enabled",
            "priority",
            "owner_sid",
            "window_title",
            "startup_info",
            "integrity_level",
        ),
    ),
    "windows-service-ext": _embedded_any(
        {
            "service_name": S,
            "descriptions": SL,
            "display_name": S,
            "group_name": S,
            "start_type": c.enum(
                (
                    "SERVICE_AUTO_START",
                    "SERVICE_BOOT_START",
                    "SERVICE_DEMAND_START",
                    "SERVICE_DISABLED",
                    "SERVICE_SYSTEM_ALERT",
                )
            ),
            "service_dll_refs": c.ref_list(("file",)),
            "service_type": c.enum(
                (
                    "SERVICE_KERNEL_DRIVER",
                    "SERVICE_FILE_SYSTEM_DRIVER",
                    "SERVICE_WIN32_OWN_PROCESS",
                    "SERVICE_WIN32_SHARE_PROCESS",
                )
            ),
            "service_status": c.enum(
                (
                    "SERVICE_CONTINUE_PENDING",
                    "SERVICE_PAUSE_PENDING",
                    "SERVICE_PAUSED",
                    "SERVICE_RUNNING",
                    "SERVICE_START_PENDING",
                    "SERVICE_STOP_PENDING",
                    "SERVICE_STOPPED",
                )
            ),
        },
        (),
        (
            "service_name",
            "descriptions",
            "display_name",
            "group_name",
            "start_type",
            "service_dll_refs",
            "service_type",
            "service_status",
        ),
    ),
}

USER_ACCOUNT_EXTENSIONS: dict[str, c.Check] = {
    "unix-account-ext": _embedded_any(
        {
            "gid": INT,
            "groups": SL,
            "home_dir": S,
            "shell": S,
        },
        (),
        ("gid", "groups", "home_dir", "shell"),
    ),
}
