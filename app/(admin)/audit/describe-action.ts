const VERBS: Record<string, string> = {
  'user.create': 'created user',
  'user.update': 'changed user',
  'user.disable': 'disabled user',
  'user.enable': 'enabled user',
  'user.reset_password': 'reset the password of',
  'user.end_sessions': 'ended the sessions of',
  'user.sign_in_locked': 'locked sign-ins (too many failures) for',
  'enrolment_secret.create': 'created enrolment secret',
  'enrolment_secret.revoke': 'revoked enrolment secret',
  'machine.enroll': 'enrolled machine',
  'token.create': 'created API token',
  'token.revoke': 'revoked API token',
  'cabinet.create': 'created cabinet',
  'cabinet.delete': 'deleted cabinet',
  'package.register': 'registered package',
  'package.update': 'edited package',
  'package.delete': 'deleted package',
  'calendar_feed.create': 'created the calendar feed of',
  'calendar_feed.replace': 'replaced the calendar feed URL of',
  'calendar_feed.revoke': 'turned off the calendar feed of',
  'portal.select_offer': 'chose the offer',
  'portal.unselect_offer': 'changed their mind on',
  'portal.decline_offer': 'rejected the offer',
  'portal.restore_offer': 'showed again the offer',
  'portal.install_now': 'asked to install now',
  'portal.defer_install': 'deferred the install',
};

export function describeAction(action: string): string {
  return VERBS[action] ?? action;
}
