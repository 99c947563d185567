// The real megalodon (npm) against a running Kindred: it must recognise the server
// from NodeInfo (its `detector`), then sign in with a token, read the account and
// post. Usage: node test_megalodon.mjs BASE_URL ACCESS_TOKEN
import generator, { detector } from 'megalodon'

const [base, token] = process.argv.slice(2)
if (!base || !token) {
  console.error('usage: node test_megalodon.mjs BASE_URL ACCESS_TOKEN')
  process.exit(2)
}

function check(ok, what) {
  if (!ok) {
    console.error(`FAILED: ${what}`)
    process.exit(1)
  }
  console.log(`ok: ${what}`)
}

const sns = await detector(base)
check(sns === 'mastodon', `detector reads the server as Mastodon-compatible (got ${sns})`)

const client = generator(sns, base, token)
const me = await client.verifyAccountCredentials()
check(me.data.username === 'meg', 'verifyAccountCredentials names the signed-in member')

const posted = await client.postStatus('Hello from a megalodon app', { visibility: 'unlisted' })
check(posted.data.content.includes('Hello from a megalodon app'), 'postStatus posts')
const again = await client.getStatus(posted.data.id)
check(again.data.id === posted.data.id, 'getStatus reads the post back')

const instance = await client.getInstance()
check(typeof instance.data.uri === 'string', 'getInstance answers')
console.log('megalodon client test passed')
