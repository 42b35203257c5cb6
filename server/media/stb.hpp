#pragma once
// The stb image headers (Debian's libstb-dev) as this component configures them: only the
// decoders Ranvier thumbnails, and a cap on image sides. stb_impl.cpp holds the one copy of
// their implementation.

#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_GIF
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS (1 << 15)

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>
