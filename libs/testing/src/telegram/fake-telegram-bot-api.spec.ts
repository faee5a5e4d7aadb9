import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { Input, Markup, Telegraf } from 'telegraf';
import { FakeTelegramBotApi } from './fake-telegram-bot-api';
import { decodeQrPng } from './qr-code';
import { maxInAnyWindow, minGapPerChat } from './send-accounting';
import { telegramUser } from './telegram-user.factory';

interface ApiAnswer {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

describe(FakeTelegramBotApi.name, () => {
  let sut: FakeTelegramBotApi;

  async function call(
    method: string,
    params: Record<string, unknown> = {},
    token = sut.token,
  ): Promise<ApiAnswer> {
    const res = await fetch(`${sut.url}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return (await res.json()) as ApiAnswer;
  }

  beforeEach(async () => {
    sut = await FakeTelegramBotApi.start({ botUsername: 'fake_club_bot' });
  });

  afterEach(async () => {
    await sut.close();
  });

  describe('HTTP surface', () => {
    it('answers getMe with the bot and refuses another token with 401', async () => {
      expect(await call('getMe')).toEqual({
        ok: true,
        result: expect.objectContaining({ is_bot: true, username: 'fake_club_bot' }),
      });
      expect(await call('getMe', {}, '1:wrong')).toEqual({
        ok: false,
        error_code: 401,
        description: 'Unauthorized',
      });
    });

    it('refuses the next calls of a method when told to, then answers again', async () => {
      const user = telegramUser();
      sut.sendText(user, 'hi');
      const flood = {
        error_code: 429,
        description: 'Too Many Requests: retry after 5',
        parameters: { retry_after: 5 },
      };
      sut.fail({
        answer: {
          status: 'error',
          errorCode: flood.error_code,
          description: flood.description,
          parameters: flood.parameters,
        },
        methods: ['sendMessage'],
        times: 2,
      });
      expect(await call('sendMessage', { chat_id: user.id, text: 'a' })).toEqual({
        ok: false,
        ...flood,
      });
      expect(await call('sendMessage', { chat_id: user.id, text: 'b' })).toMatchObject({
        ok: false,
        error_code: 429,
      });
      expect(await call('sendMessage', { chat_id: user.id, text: 'c' })).toMatchObject({
        ok: true,
      });
      expect(sut.calls.filter((c) => c.method === 'sendMessage').map((c) => c.error)).toEqual([
        flood.description,
        flood.description,
        undefined,
      ]);
    });

    it('answers an unknown method with ok and records it', async () => {
      expect(await call('sendChatAction', { chat_id: 1, action: 'typing' })).toEqual({
        ok: true,
        result: true,
      });
      expect(sut.calls).toEqual([
        expect.objectContaining({
          method: 'sendChatAction',
          params: { chat_id: 1, action: 'typing' },
        }),
      ]);
    });

    it('confirms updates below the offset and returns the rest', async () => {
      const user = telegramUser();
      sut.sendText(user, 'one');
      sut.sendText(user, 'two');
      const first = (await call('getUpdates', { offset: 0 })).result as { update_id: number }[];
      expect(first).toHaveLength(2);
      const second = (await call('getUpdates', { offset: first[0].update_id + 1 })).result as {
        update_id: number;
      }[];
      expect(second.map((u) => u.update_id)).toEqual([first[1].update_id]);
      const third = (await call('getUpdates', { offset: first[1].update_id + 1 })).result;
      expect(third).toEqual([]);
    });

    it('holds a long poll until an update arrives', async () => {
      const pending = call('getUpdates', { offset: 0, timeout: 30 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      sut.sendText(telegramUser(), 'hello');
      const answer = await pending;
      expect(answer.result).toEqual([
        expect.objectContaining({ message: expect.objectContaining({ text: 'hello' }) }),
      ]);
    });

    it('answers the older of two concurrent long polls with 409 like Telegram', async () => {
      const older = call('getUpdates', { timeout: 30 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const newer = call('getUpdates', { timeout: 1 });
      expect(await older).toEqual(expect.objectContaining({ ok: false, error_code: 409 }));
      expect(await newer).toEqual({ ok: true, result: [] });
      expect(sut.calls.filter((c) => c.method === 'getUpdates' && c.error)).toEqual([
        expect.objectContaining({ error: expect.stringContaining('Conflict') }),
      ]);
    });

    it('refuses a method on demand, with retry_after, as often as asked', async () => {
      sut.fail({ answer: { status: 429, retryAfter: 3 }, methods: ['setMyCommands'], times: 1 });
      const commands = { commands: [{ command: 'start', description: 'Start' }] };
      expect(await call('setMyCommands', commands)).toEqual({
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 3',
        parameters: { retry_after: 3 },
      });
      expect(await call('setMyCommands', commands)).toEqual({ ok: true, result: true });
      expect(sut.calls.map((c) => c.error)).toEqual([
        'Too Many Requests: retry after 3',
        undefined,
      ]);
    });

    it('posts updates to a webhook with its secret, and answers getUpdates 409 while it is set', async () => {
      const received: { secret: unknown; body: unknown }[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({
            secret: req.headers['x-telegram-bot-api-secret-token'],
            body: JSON.parse(Buffer.concat(chunks).toString()),
          });
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const url = `http://127.0.0.1:${port}/hook`;
        expect(await call('setWebhook', { url, secret_token: 'sekret' })).toEqual({
          ok: true,
          result: true,
        });
        expect(sut.webhook).toEqual({ url, secretToken: 'sekret' });
        expect(await call('getUpdates')).toEqual(
          expect.objectContaining({ ok: false, error_code: 409 }),
        );

        sut.sendText(telegramUser(), 'hello');
        for (let waited = 0; sut.webhookDeliveries.length === 0 && waited < 5000; waited += 20) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(received).toEqual([
          {
            secret: 'sekret',
            body: expect.objectContaining({ message: expect.objectContaining({ text: 'hello' }) }),
          },
        ]);
        expect(sut.webhookDeliveries.map((d) => d.status)).toEqual([200]);

        await call('deleteWebhook');
        expect(sut.webhook).toBeUndefined();
        // Taken by the webhook: nothing left for getUpdates.
        expect(await call('getUpdates')).toEqual({ ok: true, result: [] });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('refuses what Telegram refuses: unparseable HTML, long callback data, unknown chat, same-content edits', async () => {
      const user = telegramUser();
      sut.sendText(user, 'hi');
      expect(
        await call('sendMessage', { chat_id: user.id, text: 'a < b', parse_mode: 'HTML' }),
      ).toEqual(
        expect.objectContaining({
          ok: false,
          error_code: 400,
          description: expect.stringContaining("can't parse entities"),
        }),
      );
      const longData = { inline_keyboard: [[{ text: 'x', callback_data: 'x'.repeat(65) }]] };
      expect(
        await call('sendMessage', { chat_id: user.id, text: 'x', reply_markup: longData }),
      ).toEqual(
        expect.objectContaining({ ok: false, description: 'Bad Request: BUTTON_DATA_INVALID' }),
      );
      const localhost = { inline_keyboard: [[{ text: 'x', url: 'http://localhost:5173/a' }]] };
      expect(
        await call('sendMessage', { chat_id: user.id, text: 'x', reply_markup: localhost }),
      ).toEqual(
        expect.objectContaining({
          ok: false,
          description: expect.stringContaining('Wrong HTTP URL'),
        }),
      );
      expect(await call('sendMessage', { chat_id: 42, text: 'x' })).toEqual(
        expect.objectContaining({ ok: false, description: 'Bad Request: chat not found' }),
      );

      const sent = (
        await call('sendMessage', {
          chat_id: user.id,
          text: '<b>Bold</b> &amp; plain',
          parse_mode: 'HTML',
        })
      ).result as { message_id: number; text: string };
      expect(sent.text).toBe('Bold & plain');
      const edit = {
        chat_id: user.id,
        message_id: sent.message_id,
        text: '<b>Bold</b> &amp; plain',
        parse_mode: 'HTML',
      };
      expect(await call('editMessageText', edit)).toEqual(
        expect.objectContaining({
          ok: false,
          description: expect.stringContaining('message is not modified'),
        }),
      );
      expect(await call('editMessageText', { ...edit, text: 'changed' })).toEqual({
        ok: true,
        result: expect.objectContaining({ text: 'changed' }),
      });
      expect(sut.messagesIn(user.id).map((m) => m.text)).toEqual(['hi', 'changed']);
    });
  });

  describe('with a Telegraf bot polling it', () => {
    let bot: Telegraf;
    let polling: Promise<void>;

    beforeEach(async () => {
      bot = new Telegraf(sut.token, { telegram: { apiRoot: sut.url } });
      bot.start((ctx) =>
        ctx.reply(
          `welcome ${ctx.payload}`,
          Markup.inlineKeyboard([
            Markup.button.callback('Press', 'pressed:1'),
            Markup.button.callback('Reply', 'reply:1'),
          ]),
        ),
      );
      bot.action('pressed:1', async (ctx) => {
        await ctx.answerCbQuery('done');
        await ctx.editMessageText('pressed');
      });
      bot.action('reply:1', async (ctx) => {
        await ctx.reply('replied');
        await ctx.answerCbQuery();
      });
      bot.command('qr', async (ctx) => {
        const png = await QRCode.toBuffer('https://club.example/auth/callback?code=abc', {
          type: 'png',
        });
        await ctx.replyWithPhoto(Input.fromBuffer(png, 'login.png'), { caption: 'scan me' });
      });
      await bot.telegram.setMyCommands([{ command: 'start', description: 'Start' }]);
      polling = bot.launch();
      await sut.waitForCall('deleteWebhook', undefined, { since: 0 });
    });

    afterEach(async () => {
      bot.stop('test over');
      await polling;
    });

    it('delivers commands with their payload and records the reply', async () => {
      const user = telegramUser({ language_code: 'en' });
      sut.sendText(user, '/start UP-ABC123');
      const reply = await sut.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      expect(reply.params.text).toBe('welcome UP-ABC123');
      expect(sut.commandsFor()).toEqual([{ command: 'start', description: 'Start' }]);
    });

    it('lets a user press an inline button, and refuses a button the message does not have', async () => {
      const user = telegramUser();
      sut.sendText(user, '/start');
      const reply = await sut.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      const message = reply.result as { message_id: number; chat: { id: number } };
      expect(() => sut.pressButton(user, message, 'nope')).toThrow(
        /no button "nope".*Press -> pressed:1/,
      );

      const queryId = sut.pressButton(user, message, 'pressed:1');
      await sut.waitForCall(
        'answerCallbackQuery',
        (c) => c.params.callback_query_id === queryId && c.params.text === 'done',
      );
      await sut.waitForCall('editMessageText', (c) => c.params.text === 'pressed');
      expect(sut.messagesIn(user.id).at(-1)).toEqual(
        expect.objectContaining({ text: 'pressed', message_id: message.message_id }),
      );
    });

    it('gives the bot’s next message in the chat to ask and, once the press is answered, to press', async () => {
      const user = telegramUser();
      const welcome = await sut.ask(user, '/start again');
      expect(welcome).toEqual(
        expect.objectContaining({
          text: 'welcome again',
          chat: expect.objectContaining({ id: user.id }),
        }),
      );
      const reply = await sut.press(user, welcome, 'reply:1');
      expect(reply.text).toBe('replied');
      expect(sut.calls.filter((c) => c.method === 'answerCallbackQuery')).toHaveLength(1);
    });

    it('parses a multipart photo upload so the PNG can be decoded', async () => {
      const user = telegramUser();
      sut.sendText(user, '/qr');
      const photo = await sut.waitForCall('sendPhoto', (c) => c.params.chat_id === String(user.id));
      expect(photo.params.caption).toBe('scan me');
      const [file] = photo.files;
      expect(file).toEqual(expect.objectContaining({ field: 'photo', filename: 'login.png' }));
      expect(decodeQrPng(file.data)).toBe('https://club.example/auth/callback?code=abc');
      expect(photo.result).toEqual(
        expect.objectContaining({
          photo: [expect.objectContaining({ width: expect.any(Number) })],
        }),
      );
    });

    it('only matches calls made after the latest user action by default', async () => {
      const user = telegramUser();
      sut.sendText(user, '/start first');
      await sut.waitForCall('sendMessage', (c) => c.params.text === 'welcome first');
      sut.sendText(user, '/start second');
      const next = await sut.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      expect(next.params.text).toBe('welcome second');
      await expect(
        sut.waitForCall('sendMessage', (c) => c.params.text === 'welcome first', 100),
      ).rejects.toThrow(/No matching sendMessage/);
    });
  });

  describe('faults, send accounting and pollers', () => {
    it('opens chats without messages, then answers an injected 429, 403, 5xx and drop once each', async () => {
      const [alice, bob] = [telegramUser(), telegramUser()];
      expect((await call('sendMessage', { chat_id: alice.id, text: 'hi' })).error_code).toBe(400);
      sut.openChats([alice, bob]);
      const limited = sut.fail({
        answer: { status: 429, retryAfter: 3 },
        chats: [alice.id],
        times: 1,
      });
      sut.fail({ answer: { status: 403 }, chats: [bob.id], times: 1 });

      expect(await call('sendMessage', { chat_id: alice.id, text: 'a' })).toMatchObject({
        error_code: 429,
        parameters: { retry_after: 3 },
      });
      expect(await call('sendMessage', { chat_id: bob.id, text: 'b' })).toMatchObject({
        error_code: 403,
        description: 'Forbidden: bot was blocked by the user',
      });
      expect(await call('sendMessage', { chat_id: alice.id, text: 'a' })).toMatchObject({
        ok: true,
      });
      expect(limited.hits).toBe(1);

      sut.fail({ answer: { status: 502 }, times: 1 });
      sut.fail({ answer: { status: 'drop' }, times: 1 });
      const bad = await fetch(`${sut.url}/bot${sut.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: bob.id, text: 'b' }),
      });
      expect(bad.status).toBe(502);
      await expect(call('sendMessage', { chat_id: bob.id, text: 'b' })).rejects.toThrow();
      expect(await call('sendMessage', { chat_id: bob.id, text: 'b' })).toMatchObject({ ok: true });

      expect(sut.sends().map((s) => [s.chatId, s.accepted])).toEqual([
        [alice.id, false],
        [alice.id, false],
        [bob.id, false],
        [alice.id, true],
        [bob.id, false],
        [bob.id, false],
        [bob.id, true],
      ]);
      expect(sut.messagesIn(bob.id).map((m) => m.text)).toEqual(['b']);
    });

    it('refuses getUpdates only when named, until the fault is removed', async () => {
      sut.fail({ answer: { status: 502 } });
      expect(await call('getUpdates', { timeout: 0 })).toEqual({ ok: true, result: [] });
      const unauthorized = sut.fail({
        answer: { status: 'error', errorCode: 401, description: 'Unauthorized' },
        methods: ['getUpdates'],
      });
      expect(await call('getUpdates', { timeout: 0 })).toEqual({
        ok: false,
        error_code: 401,
        description: 'Unauthorized',
      });
      unauthorized.remove();
      expect(await call('getUpdates', { timeout: 0 })).toEqual({ ok: true, result: [] });
      expect(unauthorized.hits).toBe(1);
      expect(sut.calls.map((c) => c.error)).toEqual([undefined, 'Unauthorized', undefined]);
    });

    it('measures sends per window and per chat', () => {
      const sends = [0, 100, 999, 1000, 1500, 2600].map((at, i) => ({
        chatId: i % 2,
        at,
        accepted: true,
      }));
      expect(maxInAnyWindow(sends, 1000)).toBe(3);
      expect(minGapPerChat(sends)).toBe(501);
    });

    it('counts concurrent getUpdates callers and the 409s they cause', async () => {
      const first = call('getUpdates', { timeout: 5 });
      await sut.waitUntilPolling();
      const second = call('getUpdates', { timeout: 0 });
      expect((await first).error_code).toBe(409);
      await second;
      expect(sut.pollingStats).toEqual({ active: 0, maxConcurrent: 2, conflicts: 1 });
    });
  });
});
