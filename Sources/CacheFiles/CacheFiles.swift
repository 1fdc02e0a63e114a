// The CacheFiles module; see ../shared/design.md §2. (Module file: replaced as the module grows.)
import CacheCore
