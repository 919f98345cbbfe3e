# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The limits of the ECI image cache API, in one place.

Module validation, the image_cache_manifest and image_cache_problems filters, the role (through
image_cache_problems) and the size plan read them from here; a unit test checks that the module
and role docs state the same numbers. Sources: API reference of CreateImageCache, TagResources
and the ImageCache CRD (see docs/docsite/rst/cloud_behaviour.rst).
"""

from __future__ import annotations

MIN_SIZE_GIB = 20  # also the cloud's default size
MAX_SIZE_GIB = 32768
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 65536
MAX_IMAGES = 20
MAX_VSWITCHES = 10
MAX_CREDENTIALS = 10
MAX_TAGS = 20
MAX_TAG_LENGTH = 128
# Longest image reference the cloud takes.
MAX_IMAGE_LENGTH = 1024
# Longest image cache name (ImageCacheName) taken: the sources state no grammar for it (image_cache_validation.name_problem).
MAX_NAME_LENGTH = 128
# Highest TCP port of a registry host[:port].
MAX_PORT = 65535
