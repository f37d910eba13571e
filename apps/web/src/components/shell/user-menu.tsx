import type { User } from "@/server/auth/user";

/** Who is signed in, as what, and (with a session of ours) a sign-out button. */
export function UserMenu({ user, csrf, canSignOut }: { user: User; csrf: string; canSignOut: boolean }) {
  return (
    <span className="user-menu" data-testid="user-menu" data-role={user.role}>
      <span data-testid="user-name">{user.name}</span>
      <span className="pill" data-testid="user-role">
        {user.role}
      </span>
      {canSignOut ? (
        <form method="post" action="/auth/sign-out">
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" data-testid="sign-out">
            Sign out
          </button>
        </form>
      ) : null}
    </span>
  );
}
