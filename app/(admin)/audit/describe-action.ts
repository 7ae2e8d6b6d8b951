const VERBS: Record<string, string> = {
  'user.create': 'created user',
  'user.update': 'changed user',
  'user.disable': 'disabled user',
  'user.enable': 'enabled user',
  'user.reset_password': 'reset the password of',
  'user.end_sessions': 'ended the sessions of',
};

export function describeAction(action: string): string {
  return VERBS[action] ?? action;
}
