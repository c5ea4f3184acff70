/**
 * The web pages of the install flow (OAuth mode), pure: the "Add to Slack" page at /slack/install, and what the
 * browser shows after Slack sends it back to /slack/oauth_redirect. Each says what happened in plain words and what
 * to do next. Self-contained (no external images, scripts or fonts): the page works behind any proxy.
 */

export interface Page {
  status: number;
  html: string;
}

/** The failures of the install flow a person can tell apart, and act on differently. */
export type InstallFailure =
  | { kind: 'cancelled' }
  | { kind: 'refused_by_slack'; error: string }
  | { kind: 'bad_state' }
  | { kind: 'missing_code' }
  | { kind: 'not_saved' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escape(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1d1c1d; line-height: 1.5; }
h1 { font-size: 1.5rem; }
.add { display: inline-block; padding: .6rem 1.2rem; border-radius: .4rem; background: #4a154b; color: #fff; font-weight: 600; text-decoration: none; }
.add:focus, .add:hover { background: #611f69; }
code { background: #f4f4f4; padding: 0 .25rem; border-radius: .2rem; }
.muted { color: #616061; font-size: .9rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** /slack/install: what the app does, and the link to Slack's consent screen (it carries the signed state). */
export function installPage(addToSlackUrl: string): string {
  return layout(
    'Add Sales Pulse to Slack',
    `<h1>Add Sales Pulse to your Slack workspace</h1>
<p>Sales Pulse lets your team log calls, emails, meetings and deals with slash commands, and posts leaderboards and weekly digests.</p>
<p><a class="add" href="${escape(addToSlackUrl)}">Add to Slack</a></p>
<p class="muted">Slack will show what Sales Pulse may do and ask you to allow it. On an Enterprise Grid org, an org admin can install it for the whole org.
This link is valid for 10 minutes, in this browser only: if it expires, reload this page.</p>`,
  );
}

export interface InstalledWhere {
  teamId?: string;
  teamName?: string;
  enterpriseName?: string;
  appId?: string;
  orgWide: boolean;
}

/** After a successful install: where it is installed, and the first things to try. */
export function installedPage(where: InstalledWhere): string {
  const place = where.orgWide
    ? `your Enterprise Grid org${where.enterpriseName ? ` <b>${escape(where.enterpriseName)}</b>` : ''}`
    : where.teamName
      ? `<b>${escape(where.teamName)}</b>`
      : 'your workspace';
  const open =
    where.teamId && where.appId
      ? `<p><a class="add" href="${escape(`slack://app?team=${where.teamId}&id=${where.appId}`)}">Open Sales Pulse in Slack</a></p>
<p class="muted">Using Slack in a browser? <a href="${escape(`https://app.slack.com/client/${where.teamId}`)}">Open it there</a>.</p>`
      : '';
  const orgNext = where.orgWide
    ? '<p>An org admin chooses which workspaces of the org get Sales Pulse (Slack admin → Manage apps); it works in each of them from then on.</p>'
    : '';
  return layout(
    'Sales Pulse is installed',
    `<h1>Sales Pulse is installed in ${place}</h1>
${orgNext}
<p>Next, in Slack:</p>
<ul>
<li>Log something: <code>/log-call Acme 15m #connected</code></li>
<li>See the board: <code>/leaderboard</code></li>
<li>Set up teams, targets and the weekly board (admins): <code>/sales-admin</code></li>
</ul>
${open}
<p class="muted">Installed again after removing it? Everything logged before is still there.</p>`,
  );
}

/** After a failed or cancelled install: what happened, that nothing was installed, and what to do next. */
export function installFailedPage(failure: InstallFailure, installPath: string): Page {
  const again = `<p><a class="add" href="${escape(installPath)}">Start the install again</a></p>`;
  switch (failure.kind) {
    case 'cancelled':
      return {
        status: 200,
        html: layout(
          'Install cancelled',
          `<h1>You cancelled the install</h1>
<p>Sales Pulse was not added to Slack, and nothing was stored. You can close this page, or start again whenever you like.</p>
${again}`,
        ),
      };
    case 'bad_state':
      return {
        status: 400,
        html: layout(
          'Install link expired',
          `<h1>This install link is no longer valid</h1>
<p>Sales Pulse was not installed: the link had expired (it lasts 10 minutes), had been used already, or was opened in a different browser from the one that started the install.
Start again from the install page, in this browser.</p>
${again}`,
        ),
      };
    case 'missing_code':
      return {
        status: 400,
        html: layout(
          'Install not completed',
          `<h1>The install did not complete</h1>
<p>Slack sent the browser back without the approval Sales Pulse needs, so nothing was installed. Start again from the install page.</p>
${again}`,
        ),
      };
    case 'refused_by_slack':
      return {
        status: 502,
        html: layout(
          'Install failed',
          `<h1>Slack did not complete the install</h1>
<p>Slack refused to finish it (<code>${escape(failure.error)}</code>), so nothing was installed. Start again; if it fails the same way, the person running Sales Pulse should check the app's settings (client ID and secret, redirect URL) and the bot's logs.</p>
${again}`,
        ),
      };
    case 'not_saved':
      return {
        status: 500,
        html: layout(
          'Install not saved',
          `<h1>Sales Pulse could not finish the install</h1>
<p>Slack approved it, but Sales Pulse could not save it, so it is not installed. Try again in a minute; if it keeps failing, the person running Sales Pulse should check the bot's logs and its database.</p>
${again}`,
        ),
      };
  }
}
