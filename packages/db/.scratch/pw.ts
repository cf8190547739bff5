import { hashPassword, verifyPassword } from '../src/password.ts';
let t = Date.now(); const h = await hashPassword('correct horse'); console.log(h, Date.now() - t);
t = Date.now(); console.log(await verifyPassword('correct horse', h), await verifyPassword('wrong', h), Date.now() - t);
