import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { asyncoperation, contact, idr_marketingconcept } from '../../../dataverse/generated';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import { testEngine, type TestEngine } from '../testing/engine';
import { escapeHtml, markup } from './html';
import { servePage } from './extension';
import { renderHome, renderView, VIEW_PAGE_SIZE } from './render';

let metadata: MetadataModel;
beforeAll(() => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
});

const M = idr_marketingconcept.columns;
const EVIL = `<script>alert("x")</script> & 'Co'`;

function org(): TestEngine {
  const t = {} as TestEngine;
  beforeEach(() => Object.assign(t, testEngine({ metadata })));
  afterEach(() => t.engine.close());
  return t;
}

/** The text of the table row whose first cell is `label`. */
function rowOf(page: string, label: string): string {
  const row = new RegExp(`<tr><td>${label}</td>.*?</tr>`).exec(page);
  if (!row) throw new Error(`no row '${label}'`);
  return row[0];
}

function viewIdOf(table: string, english: string): string {
  const view = metadata.tables[table]?.views.find((v) => v.name[1033] === english);
  if (!view) throw new Error(`no view ${english}`);
  return view.id;
}

describe('markup', () => {
  it('escapes every interpolated value and keeps its own markup', () => {
    expect(markup`<p title="${EVIL}">${EVIL}${[markup`<b>${'<i>'}</b>`, 2]}</p>`.text).toBe(
      `<p title="${escapeHtml(EVIL)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;<b>&lt;i&gt;</b>2</p>`,
    );
  });
});

describe('the home page', () => {
  const t = org();

  it('lists every table with its record count and links to its views', async () => {
    for (const code of ['A', 'B', 'C']) {
      await t.engine.create(idr_marketingconcept.entitySetName, {
        [M.idr_name]: `Concept ${code}`,
        [M.idr_code]: code,
        [M.idr_enterthreshold]: 10,
        [M.idr_exitthreshold]: 5,
      });
    }
    await t.engine.create(contact.entitySetName, { [contact.columns.fullname]: EVIL });
    const home = renderHome(t.engine, { serviceRoot: 'http://127.0.0.1:5555/api/data/v9.2/' });
    const concepts = rowOf(home, 'Marketing Concepts');
    expect(concepts).toContain(`<td class="n">3</td>`);
    expect(concepts).toContain(
      `<a href="/views/${idr_marketingconcept.entitySetName}/${viewIdOf(idr_marketingconcept.logicalName, 'Active Concepts')}">Active Concepts</a>`,
    );
    expect(rowOf(home, 'Contacts')).toContain('<td class="n">1</td>');
    expect(home).toContain('http://127.0.0.1:5555/api/data/v9.2/');
    expect(home).not.toMatch(/<(link|script|img)\b/);
  });

  it('shows the outbox and the system jobs with their status and message, escaped', async () => {
    t.engine.appendToOutbox({
      emailId: '00000000-0000-0000-0000-000000000001',
      sentOn: '2025-01-15T10:00:00Z',
      from: 'sales@hotelesbrisa.example',
      to: 'agent@example.com',
      cc: '',
      bcc: '',
      subject: `Your quotation ${EVIL}`,
      body: 'Dear agent,\nplease find attached…',
    });
    const J = asyncoperation.columns;
    const S = asyncoperation.choices;
    await t.engine.createSystemRecord(asyncoperation.entitySetName, {
      [J.name]: 'Webhook: Create of idr_interaction',
      [J.operationtype]: S.operationtype.SystemEvent,
      [J.statecode]: S.statecode.Completed,
      [J.statuscode]: S.statuscode.Succeeded,
    });
    await t.engine.createSystemRecord(asyncoperation.entitySetName, {
      [J.name]: 'Webhook: Update of opportunity',
      [J.operationtype]: S.operationtype.SystemEvent,
      [J.statecode]: S.statecode.Completed,
      [J.statuscode]: S.statuscode.Failed,
      [J.friendlymessage]: `The host answered 500: ${EVIL}`,
    });
    const home = renderHome(t.engine);
    expect(home).toContain(`<td>Your quotation ${escapeHtml(EVIL)}</td>`);
    expect(home).toContain('(1 sent)');
    expect(home).toMatch(/System jobs <span class="muted">\(Failed: 1, Succeeded: 1\)<\/span>/);
    expect(home).toContain(`<td class="err">Failed</td>`);
    expect(home).toContain(`<pre>The host answered 500: ${escapeHtml(EVIL)}</pre>`);
    expect(home).not.toContain('<script>');
  });
});

describe('a view page', () => {
  const t = org();

  it('lists the view rows under the layout columns, page by page', async () => {
    for (let i = 0; i < VIEW_PAGE_SIZE + 2; i++) {
      const code = String(i).padStart(3, '0');
      await t.engine.create(idr_marketingconcept.entitySetName, {
        [M.idr_name]: i === 0 ? EVIL : `Concept ${code}`,
        [M.idr_code]: code,
        [M.idr_conceptgroup]: 'Cloud',
        [M.idr_enterthreshold]: 12.5,
        [M.idr_exitthreshold]: 5,
      });
    }
    const id = viewIdOf(idr_marketingconcept.logicalName, 'Active Concepts');
    const first = renderView(t.engine, idr_marketingconcept.entitySetName, id, 1);
    const headers = [...first.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(0, 3)).toEqual(['Name', 'Code', 'Concept Group']);
    expect(first).toContain(`<td>${escapeHtml(EVIL)}</td><td>000</td><td>Cloud</td><td>12.50</td>`);
    expect(first.match(/<tr><td>/g)).toHaveLength(VIEW_PAGE_SIZE);
    expect(first).toContain(`?page=2">next →</a>`);
    const second = renderView(t.engine, idr_marketingconcept.entitySetName, id, 2);
    expect(second.match(/<tr><td>/g)).toHaveLength(2);
    expect(second).toContain('Rows 51–52');
  });

  it('answers an unknown view with a 404 page, and leaves other paths to the server', () => {
    const sent: { status?: number; body?: string } = {};
    const response = {
      writeHead: (status: number) => {
        sent.status = status;
        return response;
      },
      end: (body: string) => {
        sent.body = body;
      },
    } as unknown as ServerResponse;
    const request = (url: string) => ({ url, method: 'GET' }) as IncomingMessage;
    expect(
      servePage(
        t.engine,
        request(`/views/${idr_marketingconcept.entitySetName}/00000000-0000-0000-0000-000000000009`),
        response,
      ),
    ).toBe(true);
    expect(sent.status).toBe(404);
    expect(sent.body).toContain('savedquery With Id = 00000000-0000-0000-0000-000000000009 Does Not Exist');
    expect(servePage(t.engine, request('/favicon.ico'), response)).toBe(false);
    expect(servePage(t.engine, request('/'), response)).toBe(true);
    expect(sent.status).toBe(200);
  });
});
