// Drive `bento emulator serve` with the official Node SDK, as a Node user would.
// Reads the BENTO_* variables `serve` prints; prints one JSON object of what each call gave.
import { Analytics } from '@bentonow/bento-node-sdk';

const env = process.env;
const bento = new Analytics({
  authentication: { publishableKey: env.BENTO_PUBLISHABLE_KEY, secretKey: env.BENTO_SECRET_KEY },
  siteUuid: env.BENTO_SITE_UUID,
  clientOptions: { baseUrl: env.BENTO_BASE_URL },
  logErrors: false,
});
const v1 = bento.V1;
const ann = 'ann@example.com';
const author = env.BENTO_AUTHOR;
const out = {};

const created = await v1.Subscribers.createSubscriber({ email: ann });
out.created = created?.attributes?.email;
out.tag = (await v1.Tags.createTag({ name: 'customer' }))?.attributes?.name;
out.tags = (await v1.Tags.getTags())?.map((t) => t.attributes.name);
out.field = (await v1.Fields.createField({ key: 'plan' }))?.attributes?.key;
out.addTag = await v1.Commands.addTag({ email: ann, tagName: 'lead' });
out.addField = await v1.Commands.addField({ email: ann, field: { key: 'plan', value: 'pro' } });
out.removeTag = await v1.Commands.removeTag({ email: ann, tagName: 'lead' });
out.unsubscribe = await v1.Commands.unsubscribe({ email: 'bo@example.com' });
out.imported = await v1.Batch.importSubscribers({
  subscribers: [{ email: 'cy@example.com', first_name: 'Cy', tags: 'vip' }, { email: 'di@example.com' }],
});
out.events = await v1.Batch.importEvents({
  events: [
    { email: ann, type: '$login', date: new Date('2023-11-29T19:31:49Z') },
    { email: ann, type: '$visit', details: { page: '/pricing' } },
  ],
});
out.tracked = await v1.track({ email: ann, type: '$signup', fields: { source: 'node' }, details: {} });
out.purchase = await v1.trackPurchase({
  email: ann,
  purchaseDetails: { unique: { key: 'order-1' }, value: { currency: 'USD', amount: 8000 } },
});
out.found = (await v1.Subscribers.getSubscribers({ email: ann }))?.attributes?.fields;
out.sent = await v1.Batch.sendTransactionalEmails({
  emails: [{ to: ann, from: author, subject: 'Welcome', html_body: '<p>Hi</p>', transactional: true }],
});
const broadcast = await v1.Broadcasts.createBroadcast([
  {
    name: 'Launch',
    subject: 'We launched',
    content: '<p>News</p>',
    type: 'plain',
    from: { name: 'Acme', email: author },
    batch_size_per_hour: 1000,
  },
]);
out.broadcast = [broadcast.results, broadcast.failed];
out.broadcasts = (await v1.Broadcasts.getBroadcasts()).map((b) => b.attributes.name);
const templateId = broadcast.broadcasts[0].template_id;
out.template = (await v1.EmailTemplates.getEmailTemplate({ id: templateId }))?.attributes?.subject;
out.updated = (await v1.EmailTemplates.updateEmailTemplate({ id: templateId, subject: 'Launched!' }))
  ?.attributes?.subject;
out.siteStats = await v1.Stats.getSiteStats();
out.segmentStats = await v1.Stats.getSegmentStats('7');
out.report = (await v1.Stats.getReportStats('42'))?.data;
out.valid = await v1.Experimental.validateEmail({ email: ann });
out.gender = (await v1.Experimental.guessGender({ name: 'Jesse' }))?.gender;
out.blacklist = typeof (await v1.Experimental.getBlacklistStatus({ domain: 'example.com' }));
out.moderation = typeof (await v1.Experimental.getContentModeration('hello there'));
out.sequences = (await v1.Sequences.getSequences()).map((s) => s.attributes.name);
out.workflows = (await v1.Workflows.getWorkflows()).map((w) => w.attributes.name);
out.responses = (await v1.Forms.getResponses('contact'))?.length;
console.log(JSON.stringify(out));
