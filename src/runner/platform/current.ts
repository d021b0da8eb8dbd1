// Picks the platform layer for the OS we run on. Kept apart from the implementations so tests can
// build any of them on any OS with fakes, and only this file looks at process.platform.
import type { Platform } from './platform';
import { createDarwinPlatform } from './darwin';
import { createLinuxPlatform } from './linux';
import { createWin32Platform } from './win32';

let current: Platform | undefined;

/** The platform layer for this OS, created once (Linux asks `getconf` for the page size). */
export function currentPlatform(): Platform {
  current ??= create(process.platform);
  return current;
}

function create(platform: NodeJS.Platform): Platform {
  switch (platform) {
    case 'linux':
      return createLinuxPlatform();
    case 'darwin':
      return createDarwinPlatform();
    case 'win32':
      return createWin32Platform();
    default:
      throw new Error(`Redline's memory guard does not support ${platform} yet (Linux, macOS and Windows only).`);
  }
}
