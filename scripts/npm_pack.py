"""A package's tarball from the npm registry, packed once into a cache
folder with `npm pack` (never at run time)."""
import glob
import os
import subprocess


def npm_pack(package, cache):
    """The tarball of `package` ("name@version"), packed into `cache` on first use."""
    os.makedirs(cache, exist_ok=True)
    name, version = package.rsplit("@", 1)
    pattern = os.path.join(cache, f"{name.lstrip('@').replace('/', '-')}-{version}.tgz")
    found = glob.glob(pattern)
    if found:
        return found[0]
    subprocess.run(["npm", "pack", package, "--pack-destination", cache, "--silent"], check=True,
                   stdout=subprocess.DEVNULL, timeout=600)
    found = glob.glob(pattern)
    if not found:
        raise RuntimeError(f"npm pack {package} wrote no tarball")
    return found[0]
