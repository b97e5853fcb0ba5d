/**
 * Where body mode keeps the refresh token. The access token is never stored: it lives in the
 * session manager's memory only. Methods may be synchronous or return promises.
 */
export interface RefreshTokenStore {
  get(): string | null | Promise<string | null>;
  set(token: string | null): void | Promise<void>;
}

/** Memory only (the default): the session lasts while a tab of the app is open (tabs hand it to new ones). */
export function memoryRefreshTokenStore(initial: string | null = null): RefreshTokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (next) => {
      token = next;
    },
  };
}

/** The part of the Web Storage API (`localStorage`, `sessionStorage`) used here. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A Web Storage entry: the session survives reloads and is shared by the tabs of the origin.
 * Any script on the origin can read it, so prefer cookie mode in browsers (the refresh token
 * in an HttpOnly cookie no script can read); this store is for clients that cannot use cookies.
 */
export function webStorageRefreshTokenStore(storage: StorageLike, key = 'authmeet.refreshToken'): RefreshTokenStore {
  return {
    get: () => storage.getItem(key),
    set: (token) => (token === null ? storage.removeItem(key) : storage.setItem(key, token)),
  };
}
